import v8 from 'node:v8';
import { ConfigError } from './common/env.js';
import { loadGatewayConfig, type GatewayConfig } from './config.js';
import { startGateway } from './gateway.js';
import { releaseStartupMemory } from './startup-memory.js';
import { createLogger } from './observability/logger.js';
import { contextManagerWarning, startTracing } from './observability/tracing.js';

/** `npm start`: the gateway alone, configured from the environment (docs/configuration.md). */
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
// still applies. Off by default: it trades CPU for memory (docs/performance.md).
if (config.heapGrowingPercent > 0) v8.setFlagsFromString(`--heap-growing-percent=${config.heapGrowingPercent}`);
// Before anything else: the SDK must hold the global context manager before requests arrive.
const tracing = await startTracing().catch((error: unknown) => {
  process.stderr.write(`flecs-graph: tracing could not start, going on without it: ${error instanceof Error ? error.message : String(error)}\n`);
  return undefined;
});
const logger = createLogger(config.logLevel, undefined, tracing?.logFields);

/** Exit codes (docs/runtime.md): what an orchestrator or an operator reads from the process. */
const EXIT = { drained: 0, couldNotStart: 1, closeFailed: 2, crashed: 3 } as const;
const SIGNAL_NUMBERS: Record<string, number> = { SIGINT: 2, SIGTERM: 15 };

let draining = false;
/**
 * An error nothing caught. While serving it ends the process (its state is unknown), as Node's own
 * default does, but with one log line an operator can read; while draining it is logged and the
 * drain goes on, since the drain's own report says whether any answer was lost.
 */
const onUnexpected = (kind: string) => (error: unknown) => {
  const detail = error instanceof Error ? { error: error.message, stack: error.stack } : { error: String(error) };
  logger.error({ kind, draining, ...detail }, draining ? 'unexpected error while draining; the drain goes on' : 'unexpected error; exiting');
  if (!draining) process.exit(EXIT.crashed);
};
process.on('uncaughtException', onUnexpected('uncaughtException'));
process.on('unhandledRejection', onUnexpected('unhandledRejection'));

try {
  const gateway = await startGateway(config, { logger, ...(tracing ? { tracing } : {}) });
  // What starting needed and serving does not, given back before the first requests arrive.
  releaseStartupMemory();
  if (tracing) {
    logger.info('tracing on: spans go to the OTLP endpoint of OTEL_EXPORTER_OTLP_*');
    const warning = contextManagerWarning();
    if (warning) logger.warn(warning);
  }
  logger.info(
    {
      url: gateway.url,
      metrics: gateway.metricsUrl,
      ...(gateway.probeUrl ? { probes: gateway.probeUrl } : {}),
      console: config.consoleUrl.origin,
      nodeEnv: config.nodeEnv,
    },
    'gateway listening',
  );
  const onSignal = (signal: NodeJS.Signals) => {
    if (draining) {
      // The operator (or the orchestrator, after its grace period) wants it gone now.
      logger.warn({ signal }, 'second signal: exiting at once, requests still running are lost');
      process.exit(128 + (SIGNAL_NUMBERS[signal] ?? 15));
    }
    draining = true;
    const started = Date.now();
    logger.info({ signal, shutdownTimeoutMs: config.shutdownTimeoutMs }, 'draining');
    void gateway.close().then((report) => {
      for (const failed of report.failedSteps) logger.error(failed, 'shutdown step failed');
      if (report.cut > 0)
        logger.warn({ cut: report.cut, shutdownTimeoutMs: config.shutdownTimeoutMs }, 'requests still running at SHUTDOWN_TIMEOUT_MS were cut');
      logger.info({ cut: report.cut, durationMs: Date.now() - started, finished: report.finished }, 'stopped');
      // The last spans go out before the process does (at most 2 s: an unreachable collector must not hold the exit).
      const flushed = tracing ? Promise.race([tracing.shutdown().catch(() => undefined), new Promise((r) => setTimeout(r, 2000).unref())]) : Promise.resolve();
      void flushed.then(() => process.exit(report.failedSteps.length > 0 ? EXIT.closeFailed : EXIT.drained));
    });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
} catch (error) {
  // A manifest that does not load is a configuration error too, found only once the schema exists.
  const reason =
    error instanceof ConfigError ? `invalid configuration: ${error.message}` : `could not start: ${error instanceof Error ? error.message : String(error)}`;
  // The lines logged while starting come first.
  logger.flush();
  process.stderr.write(`flecs-graph: ${reason}\n`);
  process.exit(EXIT.couldNotStart);
}
