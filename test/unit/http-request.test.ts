import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sendRaw, type RawRequest } from '../../src/console/http-request.js';
import { Pool } from '../../src/console/undici-pool.js';
import { UpstreamFailure } from '../../src/console/upstream-failure.js';

/**
 * One exchange with a Console on a real loopback server that answers in chunks, without a
 * content-length (the size cap must then hold while reading), or stalls halfway.
 */
describe('sendRaw reading an answer', () => {
  let server: Server;
  let pool: Pool;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/chunks') {
        res.writeHead(200, { 'content-type': 'application/json' });
        // Three chunks, é split across two of them: the text must be decoded whole.
        const bytes = Buffer.from(JSON.stringify({ data: { name: 'Café ' + 'x'.repeat(900) } }));
        const cut = bytes.indexOf(0xa9);
        res.write(bytes.subarray(0, cut));
        setTimeout(() => res.write(bytes.subarray(cut, cut + 400)), 5);
        setTimeout(() => res.end(bytes.subarray(cut + 400)), 10);
      } else if (req.url === '/large') {
        res.writeHead(200, { 'content-type': 'application/json' });
        for (let i = 0; i < 10; i += 1) res.write('x'.repeat(1024));
        res.end();
      } else if (req.url === '/stall') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"data":');
      } else if (req.url === '/busy') {
        res.writeHead(429, { 'retry-after': '7', 'content-type': 'application/json' });
        res.end('{"message":"busy"}');
      } else if (req.url === '/declared-large') {
        res.writeHead(200, { 'content-length': '5000' });
        res.write('x'.repeat(100));
      } else if (req.url === '/echo') {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString('utf8')));
        req.on('end', () => res.end(JSON.stringify({ method: req.method, body, auth: req.headers.authorization ?? null })));
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    pool = new Pool(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, { connections: 4 });
  });
  afterAll(async () => {
    await pool.destroy();
    server.closeAllConnections();
    server.close();
  });
  const send = (path: string, options: Partial<RawRequest> = {}) =>
    sendRaw({ method: 'GET', path, headers: {}, timeoutMs: 2000, deadlineBound: false, maxBytes: 4096, pool, ...options });

  it('joins an answer sent in chunks, a character split between two of them included', async () => {
    const answer = await send('/chunks');
    expect(answer.status).toBe(200);
    expect((JSON.parse(answer.body) as { data: { name: string } }).data.name).toBe('Café ' + 'x'.repeat(900));
  });

  it('stops reading an answer without content-length once it passes the cap: too_large', async () => {
    const failure = await send('/large').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UpstreamFailure);
    expect((failure as UpstreamFailure).outcome).toBe('too_large');
  });

  it('gives up on an answer that stops halfway when its time is up: timeout, or deadline when the operation set it', async () => {
    const started = Date.now();
    const timeout = await send('/stall', { timeoutMs: 200 }).catch((error: unknown) => error);
    expect((timeout as UpstreamFailure).outcome).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(1500);
    const deadline = await send('/stall', { timeoutMs: 200, deadlineBound: true }).catch((error: unknown) => error);
    expect((deadline as UpstreamFailure).outcome).toBe('deadline');
  });

  it("hands back a 429's status, body and Retry-After as sent", async () => {
    const answer = await send('/busy');
    expect(answer).toEqual({ status: 429, retryAfter: '7', body: '{"message":"busy"}' });
  });

  it('sends the method, headers and body it is given', async () => {
    const answer = await send('/echo', { method: 'POST', body: '{"a":"é"}', headers: { authorization: 'Bearer t', 'content-type': 'application/json' } });
    expect(JSON.parse(answer.body)).toEqual({ method: 'POST', body: '{"a":"é"}', auth: 'Bearer t' });
    expect(answer.retryAfter).toBeUndefined();
  });

  it('refuses an answer whose content-length is over the cap before reading it: too_large', async () => {
    const failure = await send('/declared-large').catch((error: unknown) => error);
    expect((failure as UpstreamFailure).outcome).toBe('too_large');
    expect((failure as UpstreamFailure).detail).toBe('content-length 5000 over UPSTREAM_MAX_BYTES');
  });

  it('closes the connection of a call it abandoned: a pool of one connection answers the next call', async () => {
    const single = new Pool(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, { connections: 1 });
    const on = (path: string, timeoutMs = 2000) => sendRaw({ method: 'GET', path, headers: {}, timeoutMs, deadlineBound: false, maxBytes: 4096, pool: single });
    try {
      // A stalled answer left open would hold the only connection: the calls after it would time out.
      expect(((await on('/stall', 50).catch((error: unknown) => error)) as UpstreamFailure).outcome).toBe('timeout');
      expect(((await on('/large').catch((error: unknown) => error)) as UpstreamFailure).outcome).toBe('too_large');
      expect((await on('/busy', 1000)).status).toBe(429);
    } finally {
      await single.destroy();
    }
  });

  it('says a Console that refuses connections is unavailable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const refusing = new Pool(`http://127.0.0.1:${port}`, { connections: 1 });
    try {
      const failure = await sendRaw({ method: 'GET', path: '/', headers: {}, timeoutMs: 2000, deadlineBound: false, maxBytes: 4096, pool: refusing }).catch(
        (error: unknown) => error,
      );
      expect((failure as UpstreamFailure).outcome).toBe('unavailable');
    } finally {
      await refusing.destroy();
    }
  });
});
