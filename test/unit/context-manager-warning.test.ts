import { describe, expect, it } from '@jest/globals';
import { contextManagerWarning } from '../../src/observability/tracing.js';

describe('the context-manager warning at start (tracing on)', () => {
  const flag = '--experimental-async-context-frame';

  it('should tell a Node 22 operator to start with the flag', () => {
    const warning = contextManagerWarning('22.15.0', [], undefined);
    expect(warning).toContain(`NODE_OPTIONS=${flag}`);
    expect(warning).toContain('Node 22');
    expect(contextManagerWarning('23.11.1', [], '--max-old-space-size=512')).toContain('Node 23');
  });

  it('should say nothing when the flag is given on the command line or in NODE_OPTIONS', () => {
    expect(contextManagerWarning('22.15.0', [flag], undefined)).toBeUndefined();
    expect(contextManagerWarning('22.15.0', [], `--max-old-space-size=512 ${flag}`)).toBeUndefined();
  });

  it('should not take a longer flag that merely starts with it for the flag', () => {
    expect(contextManagerWarning('22.15.0', [], `${flag}-something`)).toContain(`NODE_OPTIONS=${flag}`);
  });

  it('should say nothing on Node 24 and later (the frame is the default there, and the flag is refused)', () => {
    expect(contextManagerWarning('24.21.0', [], undefined)).toBeUndefined();
    expect(contextManagerWarning('25.0.0', [], undefined)).toBeUndefined();
  });
});
