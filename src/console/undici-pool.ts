import { createRequire } from 'node:module';
import type { Dispatcher, Pool as UndiciPool } from 'undici';

/**
 * undici's Pool and its `request`, each by its own file. The package's index loads all of undici
 * (fetch, WebSocket, caches, mocks, interceptors): ~12 MB of RSS and 3 MB of heap for two
 * functions (docs/performance.md#memory). The index is also what adds `request` to every
 * dispatcher, so without it the call is made as undici's index would make it: `request` with the
 * pool as `this`. undici's version is pinned in package.json; test/unit/undici-pool.test.ts checks
 * that these are the index's own.
 */
const require = createRequire(import.meta.url);

export const Pool = require('undici/lib/dispatcher/pool.js') as typeof UndiciPool;
export type Pool = UndiciPool;

const apiRequest = require('undici/lib/api/api-request.js') as (this: Dispatcher, options: Dispatcher.RequestOptions) => Promise<Dispatcher.ResponseData>;

/** `pool.request(options)`, as undici's index defines it. */
export function requestOn(pool: Pool, options: Dispatcher.RequestOptions): Promise<Dispatcher.ResponseData> {
  return apiRequest.call(pool, options);
}
