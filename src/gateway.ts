import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger, type Logger } from './common/logger.js';
import type { GatewayConfig } from './config.js';
import { ConsoleTransport } from './console/http-transport.js';
import { buildGatewaySchema } from './schema/build-schema.js';
import { createApolloServer, type SandboxOptions } from './server/apollo.js';
import { createHttpApp } from './server/http-app.js';

export interface RunningGateway {
  /** The GraphQL endpoint, for example http://127.0.0.1:4000/graphql. */
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface GatewayOptions {
  logger?: Logger;
  sandboxOptions?: SandboxOptions;
}

/** Builds the schema, starts Apollo and the HTTP server; used by `npm start`, the demo and the tests. */
export async function startGateway(config: GatewayConfig, options: GatewayOptions = {}): Promise<RunningGateway> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const transport = new ConsoleTransport({ consoleUrl: config.consoleUrl, timeoutMs: config.upstreamTimeoutMs });
  const apollo = createApolloServer({
    schema: await buildGatewaySchema(),
    sandbox: config.sandbox,
    development: config.nodeEnv === 'development',
    logger,
    ...(options.sandboxOptions ? { sandboxOptions: options.sandboxOptions } : {}),
  });
  await apollo.start();
  const server = http.createServer(
    createHttpApp({ apollo, transport, logger, corsOrigins: config.corsOrigins, maxBodyBytes: config.maxBodyBytes }),
  );
  server.keepAliveTimeout = 65_000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => resolve());
    });
  } catch (error) {
    await apollo.stop();
    transport.close();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  return {
    url: `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}/graphql`,
    port,
    async close() {
      server.closeIdleConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await apollo.stop();
      transport.close();
    },
  };
}
