import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { turnBufferedDestination } from '../../src/observability/log-destination.js';

/** The log destination on a real file: lines wait for the end of the event loop's turn, never longer, and never past the process's exit. */
describe('log lines written once per turn', () => {
  const dir = mkdtempSync(join(tmpdir(), 'log-destination-'));
  const opened: number[] = [];
  const file = (name: string) => {
    const path = join(dir, name);
    const fd = openSync(path, 'w');
    opened.push(fd);
    return { path, destination: turnBufferedDestination(fd) };
  };
  afterEach(() => {
    for (const fd of opened.splice(0)) closeSync(fd);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("writes a turn's first line at once and the lines after it together once the turn is over, in their order", async () => {
    const { path, destination } = file('turn.log');
    destination.write('{"n":1}\n');
    expect(readFileSync(path, 'utf8')).toBe('{"n":1}\n');
    destination.write('{"n":2}\n');
    destination.write('{"n":3}\n');
    expect(readFileSync(path, 'utf8')).toBe('{"n":1}\n');
    await nextTurn();
    expect(readFileSync(path, 'utf8')).toBe('{"n":1}\n{"n":2}\n{"n":3}\n');
    // A new turn: its first line at once again.
    destination.write('{"n":4}\n');
    expect(readFileSync(path, 'utf8')).toBe('{"n":1}\n{"n":2}\n{"n":3}\n{"n":4}\n');
    destination.write('{"n":5}\n');
    await nextTurn();
    expect(readFileSync(path, 'utf8')).toBe('{"n":1}\n{"n":2}\n{"n":3}\n{"n":4}\n{"n":5}\n');
  });

  it('writes at once when 64 kB are waiting, the rest at the end of the turn', async () => {
    const { path, destination } = file('large.log');
    const line = `{"pad":"${'x'.repeat(1000)}"}\n`;
    for (let i = 0; i < 70; i += 1) destination.write(line);
    const during = readFileSync(path, 'utf8').length;
    expect(during).toBeGreaterThanOrEqual(64 * 1024);
    expect(during).toBeLessThan(70 * line.length);
    await nextTurn();
    expect(readFileSync(path, 'utf8')).toBe(line.repeat(70));
  });

  it("writes what waits on flush, then calls flush's callback", () => {
    const { path, destination } = file('flush.log');
    destination.write('{"first":true}\n');
    destination.write('{"last":true}\n');
    let called = false;
    destination.flush(() => (called = true));
    expect(readFileSync(path, 'utf8')).toBe('{"first":true}\n{"last":true}\n');
    expect(called).toBe(true);
  });

  const source = resolve('src/observability/log-destination.ts');
  // The turn's second line is the one that waits; it is put together at run time, since Node quotes the
  // source of an uncaught error's line on stderr.
  const run = (ending: string) =>
    spawnSync(
      process.execPath,
      [
        '--experimental-strip-types',
        '--no-warnings',
        '--input-type=module',
        '-e',
        `const { stderrDestination } = await import(${JSON.stringify(source)}); const destination = stderrDestination(); destination.write('{"msg":"first of the turn"}\\n'); destination.write(JSON.stringify({ msg: ['before', 'the', 'end'].join(' ') }) + '\\n'); ${ending}`,
      ],
      { encoding: 'utf8' },
    );

  it('writes what waits when the process exits at once', () => {
    const exited = run('process.exit(3);');
    expect(exited.status).toBe(3);
    expect(exited.stderr).toContain('{"msg":"before the end"}');
  });

  it('writes what waits when the process dies of an uncaught error', () => {
    // Thrown before the turn ends (a tick), outside any promise: the process dies before an immediate would run.
    const crashed = run('process.nextTick(() => { throw new Error("boom"); });');
    expect(crashed.status).toBe(1);
    expect(crashed.stderr).toContain('{"msg":"before the end"}');
  });
});
