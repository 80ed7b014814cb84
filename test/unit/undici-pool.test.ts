import { describe, expect, it } from '@jest/globals';
import { Pool as IndexPool } from 'undici';
import { Pool } from '../../src/console/undici-pool.js';
import { sendRaw } from '../../src/console/http-request.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** src/console/undici-pool.ts loads undici's Pool by its file: it must be undici's own. */
describe('undici by its files', () => {
  it("is the index's Pool class", () => {
    expect(Pool).toBe(IndexPool);
  });

  it('carries a call made with its dispatch', async () => {
    const server = createServer((req, res) => res.end(JSON.stringify({ method: req.method, path: req.url })));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const pool = new Pool(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, { connections: 1 });
    try {
      const response = await sendRaw({
        method: 'GET',
        path: '/api/v2/products?page=2',
        headers: {},
        timeoutMs: 2000,
        deadlineBound: false,
        maxBytes: 4096,
        pool,
      });
      expect(response.status).toBe(200);
      expect(JSON.parse(response.body)).toEqual({ method: 'GET', path: '/api/v2/products?page=2' });
    } finally {
      await pool.close();
      server.close();
    }
  });
});
