import v8 from 'node:v8';
import { ConfigError } from './common/env.js';
import { loadGatewayConfig, type GatewayConfig } from './config.js';
import { startGateway } from './gateway.js';
import { createLogger } from './observability/logger.js';

/** `npm start`: the gateway alone, configured from the environment (see README). */
let config: GatewayConfig;
try {
  config = loadGatewayConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`flecs-graph: invalid configuration: ${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
// Read by V8 whenever it sizes the old generation, so setting it now (not on the command line)
// still applies. Off by default: it trades CPU for memory (README, Performance).
if (config.heapGrowingPercent > 0) v8.setFlagsFromString(`--heap-growing-percent=${config.heapGrowingPercent}`);
const logger = createLogger(config.logLevel);
try {
  const gateway = await startGateway(config, { logger });
  logger.info({ url: gateway.url, console: config.consoleUrl.origin, nodeEnv: config.nodeEnv }, 'gateway listening');
  const stop = (signal: string) => {
    logger.info({ signal, shutdownTimeoutMs: config.shutdownTimeoutMs }, 'draining');
    gateway.close().then(
      (finished) => {
        logger.info({ finished }, 'stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ error: error instanceof Error ? error.message : String(error) }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
} catch (error) {
  process.stderr.write(`flecs-graph: could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
