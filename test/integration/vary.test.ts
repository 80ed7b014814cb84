import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startStack, type Stack } from '../support/stack.js';

/**
 * Issue 23.2: an answer a CDN may keep must name everything it depends on in Vary, or the CDN
 * replays origin A's answer (with A's Access-Control-Allow-Origin) to origin B for the whole max-age.
 */
describe('Vary on public answers', () => {
  let stack: Stack;
  beforeAll(async () => (stack = await startStack({ env: { NODE_ENV: 'production', CORS_ORIGINS: 'https://a.example,https://b.example' } })));
  afterAll(async () => stack.close());

  const get = (headers: Record<string, string>) =>
    fetch(`${stack.gateway.url}?query=${encodeURIComponent('{ catalog(storeId: 2) { page } }')}`, {
      headers: { 'apollo-require-preflight': 'true', ...headers },
    });
  const varyOf = (res: Response) => (res.headers.get('vary') ?? '').split(',').map((v) => v.trim().toLowerCase());

  it('should vary a cacheable answer on Origin, Authorization, Accept and Accept-Encoding, with an Origin or without', async () => {
    for (const headers of [{ origin: 'https://a.example' }, {}] as Array<Record<string, string>>) {
      const res = await get(headers);
      expect(res.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/);
      expect(varyOf(res)).toEqual(expect.arrayContaining(['origin', 'authorization', 'accept', 'accept-encoding']));
      // Each name once.
      expect(new Set(varyOf(res)).size).toBe(varyOf(res).length);
    }
  });

  it('should keep Vary on a 304 too', async () => {
    const first = await get({ origin: 'https://b.example' });
    const again = await get({ origin: 'https://b.example', 'if-none-match': first.headers.get('etag')! });
    expect(again.status).toBe(304);
    expect(varyOf(again)).toEqual(expect.arrayContaining(['origin', 'accept-encoding']));
  });
});
