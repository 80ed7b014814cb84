import { createRequire } from 'node:module';

/**
 * `node:http` through require, not `import`: an ES import of a built-in reads every export to
 * build its namespace, and `http.WebSocket`'s getter then loads Node's bundled undici (its fetch
 * and WebSocket), ~10 MB of RSS the gateway never uses. require reads nothing it is not asked for.
 * test/integration/runtime-modules.test.ts fails when that undici is loaded again.
 */
export const http = createRequire(import.meta.url)('node:http') as typeof import('node:http');
