import { createRequire } from 'node:module';
import type { Pool as UndiciPool } from 'undici';

/**
 * undici's Pool by its own file. The package's index loads all of undici (fetch, WebSocket, caches,
 * mocks, interceptors): ~12 MB of RSS and 3 MB of heap for one class (docs/performance.md#memory).
 * Calls are made with the pool's own `dispatch` (src/console/http-request.ts). undici's version is
 * pinned in package.json; test/unit/undici-pool.test.ts checks that this is the index's Pool.
 */
const require = createRequire(import.meta.url);

export const Pool = require('undici/lib/dispatcher/pool.js') as typeof UndiciPool;
export type Pool = UndiciPool;
