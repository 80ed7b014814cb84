import { ConfigError, readBool, readInt, readString } from '../common/env.js';
import { STORES } from './catalogue.js';
import { startSimulator } from './server.js';

/** `npm run simulator`: the simulated FLECS Console alone (its variables: docs/configuration.md). */
try {
  const sim = await startSimulator({
    port: readInt(process.env, 'SIMULATOR_PORT', 4010, 0, 65535),
    host: readString(process.env, 'SIMULATOR_HOST', '127.0.0.1'),
    pageSize: readInt(process.env, 'SIMULATOR_PAGE_SIZE', 10, 1, 1000),
    tokenTtlSeconds: readInt(process.env, 'SIMULATOR_TOKEN_TTL_SECONDS', 86_400, 1, 31_536_000),
    admin: readBool(process.env, 'SIMULATOR_ADMIN', false),
    ...(process.env.SIMULATOR_JWT_SECRET ? { secret: process.env.SIMULATOR_JWT_SECRET } : {}),
  });
  console.log(`FLECS Console simulator listening on ${sim.url} (users demo, user1 … user1000, compact1 … compact100; password "password")`);
  // The Console has no route that lists stores: a gateway in front of this simulator needs them configured.
  console.log(`Its stores: CONSOLE_STORE_IDS=${STORES.map((s) => s.id).join(',')}`);
  const stop = () => void sim.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`flecs-graph simulator: invalid configuration: ${error.message}`);
  } else {
    console.error(`flecs-graph simulator: could not start: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.exit(1);
}
