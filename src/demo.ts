import { ConfigError, readInt } from './common/env.js';
import { createLogger } from './observability/logger.js';
import { loadGatewayConfig } from './config.js';
import { DASHBOARD_QUERY } from './demo-query.js';
import { startGateway } from './gateway.js';
import { findExampleSite, startDemoSite } from './demo-site.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { STORES } from './simulator/catalogue.js';
import { startSimulator } from './simulator/server.js';

/**
 * `npm run demo`: the simulator (admin on) and the gateway in one process, with the Sandbox
 * pre-filled with the dashboard query and a fresh token of the `demo` user.
 */
try {
  const simulatorPort = readInt(process.env, 'SIMULATOR_PORT', 4010, 0, 65535);
  const simulator = await startSimulator({
    port: simulatorPort,
    pageSize: readInt(process.env, 'SIMULATOR_PAGE_SIZE', 10, 1, 1000),
    admin: true,
  });
  // The simulator's stores, so that a product lookup answers the same from the first request on.
  const storeIds = STORES.map((s) => s.id).join(',');
  // The example frontend sends its documents by hash: the manifest its build wrote is the gateway's.
  const site = findExampleSite();
  const manifest = site ? join(site, '..', 'src', 'gql', 'persisted-documents.json') : undefined;
  const trusted = manifest && existsSync(manifest) ? { TRUSTED_DOCUMENTS_FILE: manifest } : {};
  const config = {
    ...loadGatewayConfig({ NODE_ENV: 'development', CONSOLE_STORE_IDS: storeIds, ...trusted, ...process.env, CONSOLE_URL: simulator.url }),
    sandbox: true,
  };
  const { token } = simulator.console.issueToken(0);
  const gateway = await startGateway(config, {
    logger: createLogger(config.logLevel),
    sandboxOptions: { document: DASHBOARD_QUERY, headers: { Authorization: `Bearer ${token}` } },
  });
  const exampleSite = site ? await startDemoSite(site, gateway.url, readInt(process.env, 'EXAMPLE_PORT', 4020, 0, 65535), config.host) : undefined;
  console.log(
    [
      '',
      `  flecs-graph demo is running.`,
      '',
      `  Explorer:           ${gateway.url}   (open it and press Run: Apollo Sandbox, or GraphiQL offline)`,
      exampleSite ? `  Example frontend:   ${exampleSite.url}   (log in as demo / password)` : '  Example frontend:   not built (npm run example:build)',
      `  Console simulator:  ${simulator.url}   (admin: ${simulator.url}/__admin/stats)`,
      `  Metrics:            ${gateway.metricsUrl}`,
      `  Demo login:         demo / password   (also user1 … user1000 and compact1 … compact100, same password)`,
      '',
      '  The explorer is pre-filled with a dashboard query and a fresh demo token. Ctrl-C stops.',
      '',
    ].join('\n'),
  );
  const stop = () => void Promise.all([gateway.close(), simulator.close(), exampleSite?.close()]).then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
} catch (error) {
  const reason =
    error instanceof ConfigError ? `invalid configuration: ${error.message}` : `could not start: ${error instanceof Error ? error.message : String(error)}`;
  console.error(`flecs-graph demo: ${reason}`);
  process.exit(1);
}
