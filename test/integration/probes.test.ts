import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startProbeListener } from '../../src/http/probe-listener.js';
import { createLogger } from '../../src/observability/logger.js';
import { startStack, type Stack } from '../support/stack.js';

/**
 * PROBE_PORT: /healthz and /readyz answered by a thread of their own. The main thread is blocked on
 * purpose (a busy loop), the way a saturated event loop holds a probe sent to the main port, and
 * the probes are sent from a child process, which the blocked thread cannot delay.
 */

interface Probed {
  status: number;
  body: Record<string, unknown>;
  /** Date.now() when the answer had arrived. */
  at: number;
}

/** Fetches each URL from a process of its own once `afterMs` passed; resolves with what came back. */
function probeFromChild(urls: string[], afterMs: number): { ready: Promise<void>; done: Promise<Probed[]> } {
  const script = `
    const urls = JSON.parse(process.argv[1]);
    (async () => {
      await fetch(urls[0]).then((r) => r.text()); // loads the child's HTTP client before the timed part
      process.stderr.write('ready\\n');
      await new Promise((r) => setTimeout(r, Number(process.argv[2])));
      const out = await Promise.all(urls.map(async (url) => {
        const res = await fetch(url, { signal: AbortSignal.timeout(10000) });
        return { status: res.status, body: await res.json(), at: Date.now() };
      }));
      process.stdout.write(JSON.stringify(out));
    })();`;
  const child = spawn(process.execPath, ['-e', script, JSON.stringify(urls), String(afterMs)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const ready = new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => (d.toString().includes('ready') ? resolve() : undefined));
    child.once('exit', () => reject(new Error('the probing process ended early')));
  });
  const done = new Promise<Probed[]>((resolve, reject) =>
    child.once('exit', () => {
      try {
        resolve(JSON.parse(out) as Probed[]);
      } catch {
        reject(new Error(`the probing process printed ${out.slice(0, 200)}`));
      }
    }),
  );
  return { ready, done };
}

/** Keeps this thread busy for `ms`: no timer, no socket of this thread runs meanwhile. */
function blockFor(ms: number): number {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    /* busy on purpose */
  }
  return Date.now();
}

describe('PROBE_PORT', () => {
  let stack: Stack;
  let probes: string;
  beforeAll(async () => {
    stack = await startStack({ env: { PROBE_PORT: '0', SHUTDOWN_DELAY_MS: '1500' } });
    probes = stack.gateway.probeUrl!;
  });
  afterAll(async () => {
    await stack.close();
  });

  it('should answer /healthz and /readyz as the main port does, and nothing else (404; 405 for another method)', async () => {
    expect(probes).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await fetch(`${probes}/healthz`);
    expect(health.status).toBe(200);
    expect(health.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(health.headers.get('cache-control')).toBe('no-store');
    expect(await health.json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${probes}/readyz?verbose=1`)).json()).toEqual({ ready: true });
    const other = await fetch(`${probes}/graphql`);
    expect(other.status).toBe(404);
    expect(await other.json()).toEqual({ errors: [{ message: 'This port serves only GET /healthz and /readyz.', extensions: { code: 'NOT_FOUND' } }] });
    const posted = await fetch(`${probes}/readyz`, { method: 'POST', body: 'x' });
    expect(posted.status).toBe(405);
    expect(posted.headers.get('allow')).toBe('GET, HEAD');
    expect((await fetch(`${probes}/healthz`, { method: 'HEAD' })).status).toBe(200);
  });

  it('should answer while the main event loop is blocked, where the main port answers only once it is free', async () => {
    const mainPort = stack.gateway.url.replace(/\/graphql$/, '');
    const child = probeFromChild([`${probes}/healthz`, `${probes}/readyz`, `${mainPort}/readyz`], 200);
    await child.ready;
    const blockedUntil = blockFor(3000);
    const [health, ready, main] = await child.done;
    expect(health).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(ready).toMatchObject({ status: 200, body: { ready: true } });
    // Answered during the block (the child asked 200 ms into it; a contended CPU may delay the
    // child itself by a second or two).
    expect(health.at).toBeLessThan(blockedUntil);
    expect(ready.at).toBeLessThan(blockedUntil);
    // The same probe on the main port waited for the block to end: what the thread takes away.
    expect(main.status).toBe(200);
    expect(main.at).toBeGreaterThanOrEqual(blockedUntil);
  });

  it('should say "draining" on /readyz from the drain\'s first moment, and stop listening once the gateway is closed', async () => {
    const closed = stack.gateway.close();
    const ready = await fetch(`${probes}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ ready: false, reason: 'draining' });
    expect((await fetch(`${probes}/healthz`)).status).toBe(200);
    expect((await closed).finished).toBe(true);
    await expect(fetch(`${probes}/healthz`)).rejects.toThrow();
  });
});

describe('a stalled main thread', () => {
  it('should fail both probes (503 "stalled", with how long the loop was silent) once its heartbeat is older than the stall limit', async () => {
    const listener = await startProbeListener('127.0.0.1', 0, createLogger('silent'), 300);
    try {
      const url = `http://127.0.0.1:${listener.port}`;
      const child = probeFromChild([`${url}/healthz`, `${url}/readyz`], 900);
      await child.ready;
      blockFor(2500);
      const [health, ready] = await child.done;
      expect(health.status).toBe(503);
      expect(health.body).toMatchObject({ status: 'stalled' });
      expect(health.body.eventLoopSilentMs).toBeGreaterThan(300);
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({ ready: false, reason: 'stalled' });
      // Beating again: healthy.
      await new Promise((r) => setTimeout(r, 250));
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
    } finally {
      await listener.close();
    }
  });

  it('should refuse to start on a port already taken, naming PROBE_PORT', async () => {
    const first = await startProbeListener('127.0.0.1', 0, createLogger('silent'));
    try {
      await expect(startProbeListener('127.0.0.1', first.port, createLogger('silent'))).rejects.toThrow(new RegExp(`^PROBE_PORT ${first.port}: .*EADDRINUSE`));
    } finally {
      await first.close();
    }
  });
});
