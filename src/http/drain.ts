import type http from 'node:http';
import net from 'node:net';
import type { ConnectionTracker } from './connections.js';
import type { ServingState } from './http-options.js';

/** How a drain ended: whether every accepted request was answered, and which closing steps failed. */
export interface ShutdownReport {
  /** Every request the gateway had accepted was answered before SHUTDOWN_TIMEOUT_MS. */
  finished: boolean;
  /** Requests still running when SHUTDOWN_TIMEOUT_MS cut their connections. */
  cut: number;
  /** Closing steps that threw (their resources may not be released), with the reason. */
  failedSteps: Array<{ step: string; error: string }>;
}

export interface Draining {
  server: http.Server;
  metricsServer: http.Server | undefined;
  connections: ConnectionTracker;
  state: ServingState;
  /** SHUTDOWN_DELAY_MS: /readyz answers 503 this long before the listener closes. */
  delayMs: number;
  /** SHUTDOWN_TIMEOUT_MS: in-flight requests get this long, then their connections are cut. */
  timeoutMs: number;
}

/**
 * Graceful stop: readiness turns 503; after SHUTDOWN_DELAY_MS the listener closes once the requests
 * it accepted have been answered (new connections meanwhile are served with `Connection: close`);
 * in-flight requests finish (up to the timeout); then each closing step runs, whatever the one
 * before did: a failure to stop Apollo must not keep the Console pool or the Redis connection open,
 * and is reported, not thrown.
 */
export async function drain(d: Draining, closeSteps: Array<[name: string, run: () => unknown]>): Promise<ShutdownReport> {
  const { server, metricsServer, connections, state } = d;
  state.draining = true;
  connections.startDraining();
  if (d.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, d.delayMs));
  const deadline = Date.now() + d.timeoutMs;
  // The listener stays open while accepted requests run (for at most half the timeout): on a
  // loaded machine a client's connection can reach the kernel well after the client sent its
  // request off, and closing the listener resets every connection still in its accept queue.
  // What arrives meanwhile is served, each answer with `Connection: close`.
  const listenUntil = Date.now() + d.timeoutMs / 2;
  while (state.inFlight > 0 && Date.now() < listenUntil) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    connections.closeIdle();
  }
  await connections.acceptPending();
  // net's close, not http's: http.Server.close() also ends every connection that has not sent
  // its first byte yet, and those carry requests the clients sent before the drain.
  const closed = new Promise<void>((resolve) => net.Server.prototype.close.call(server, () => resolve()));
  connections.closeIdle();
  while ((state.inFlight > 0 || connections.size > 0) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    connections.closeIdle();
  }
  const cut = state.inFlight;
  server.closeAllConnections();
  await closed;
  server.close(); // now http's: stops its timer that checks request timeouts
  const failedSteps: ShutdownReport['failedSteps'] = [];
  const step = async (name: string, run: () => unknown) => {
    try {
      await run();
    } catch (error) {
      failedSteps.push({ step: name, error: error instanceof Error ? error.message : String(error) });
    }
  };
  await step(
    'metrics listener',
    () =>
      new Promise<void>((resolve) => {
        if (!metricsServer) return resolve();
        metricsServer.close(() => resolve());
        metricsServer.closeAllConnections();
      }),
  );
  for (const [name, run] of closeSteps) await step(name, run);
  return { finished: cut === 0, cut, failedSteps };
}
