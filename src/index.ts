import { ConfigError } from './common/env.js';
import { createLogger } from './common/logger.js';
import { loadGatewayConfig } from './config.js';
import { startGateway } from './gateway.js';

/** `npm start`: the gateway alone, configured from the environment (see README). */
let config;
try {
  config = loadGatewayConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`flecs-graph: invalid configuration: ${error.message}`);
    process.exit(1);
  }
  throw error;
}
const logger = createLogger(config.logLevel);
try {
  const gateway = await startGateway(config, { logger });
  logger.info('gateway listening', { url: gateway.url, console: config.consoleUrl.origin, nodeEnv: config.nodeEnv });
  const stop = (signal: string) => {
    logger.info('shutting down', { signal });
    gateway.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
} catch (error) {
  console.error(`flecs-graph: could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
