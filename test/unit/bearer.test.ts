import { describe, expect, it } from '@jest/globals';
import { parseBearer } from '../../src/auth/bearer.js';

describe('parseBearer', () => {
  it.each([
    [undefined, { kind: 'missing' }],
    ['', { kind: 'missing' }],
    ['   ', { kind: 'missing' }],
    ['Bearer abc.def-ghi_jkl', { kind: 'token', token: 'abc.def-ghi_jkl' }],
    ['bearer abc', { kind: 'token', token: 'abc' }],
    ['Bearer abc==', { kind: 'token', token: 'abc==' }],
    ['Bearer', { kind: 'malformed' }],
    ['Bearer ', { kind: 'malformed' }],
    ['Basic abc', { kind: 'malformed' }],
    ['Bearer abc def', { kind: 'malformed' }],
    ['Bearer abc\r\nX-Evil: 1', { kind: 'malformed' }],
    ['Bearer ä', { kind: 'malformed' }],
    [`Bearer ${'a'.repeat(8193)}`, { kind: 'malformed' }],
  ])('should read %p as %p', (header, expected) => {
    expect(parseBearer(header)).toEqual(expected);
  });
});
