import { describe, expect, it } from '@jest/globals';
import { Pool as IndexPool } from 'undici';
import { Pool, requestOn } from '../../src/console/undici-pool.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** src/console/undici-pool.ts loads undici's Pool and request by their files: they must be undici's own. */
describe('undici by its files', () => {
  it("is the index's Pool class", () => {
    expect(Pool).toBe(IndexPool);
  });

  it('makes a request on a pool as the index does', async () => {
    const server = createServer((req, res) => res.end(JSON.stringify({ method: req.method, path: req.url })));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const pool = new Pool(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, { connections: 1 });
    try {
      const response = await requestOn(pool, { method: 'GET', path: '/api/v2/products?page=2' });
      expect(response.statusCode).toBe(200);
      expect(await response.body.json()).toEqual({ method: 'GET', path: '/api/v2/products?page=2' });
    } finally {
      await pool.close();
      server.close();
    }
  });
});
