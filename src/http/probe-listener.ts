import { Worker } from 'node:worker_threads';
import type { Logger } from '../observability/logger.js';

/**
 * PROBE_PORT's own listener: GET /healthz and /readyz answered by a thread of their own, so that a
 * probe never waits behind the requests queued on the main event loop. Refusing a thousand clients
 * a second keeps that loop busy, and a probe sent to the main port waits its turn among them: on a
 * contended CPU past Kubernetes' timeout, which would pull a replica that is only shedding load.
 *
 * The thread answers from what the main thread shows it: a heartbeat the main loop writes every
 * HEARTBEAT_MS, and whether the gateway drains. A main loop that has not beaten for STALL_MS
 * (blocked by a bug, or starved for seconds) is reported as such, 503 on both probes, so liveness
 * still restarts a process that hangs.
 */
export interface ProbeListener {
  port: number;
  /** /readyz turns 503 `draining` (the drain's first step). */
  draining(): void;
  /** Stops the heartbeat, the listener and its thread. */
  close(): Promise<void>;
}

/** How often the main loop shows it is alive. */
const HEARTBEAT_MS = 100;
/** A main loop silent this long is stalled: liveness fails (a probe's 2–3 s timeout is far below it). */
export const STALL_MS = 5000;

/** Slots of the memory both threads see. */
const BEAT = 0;
const DRAINING = 1;

interface ProbeThreadData {
  view: Float64Array;
  host: string;
  port: number;
  stallMs: number;
}

/**
 * The thread's whole program. It runs from its source text alone (a worker evaluated from a
 * string), so it may use nothing of this module's scope: modules come from process.getBuiltinModule.
 */
function probeThread(): void {
  const { createServer } = process.getBuiltinModule('node:http');
  const threads = process.getBuiltinModule('node:worker_threads');
  const parentPort = threads.parentPort;
  const { view, host, port, stallMs } = threads.workerData as ProbeThreadData;
  const send = (res: import('node:http').ServerResponse, status: number, payload: unknown) => {
    const body = JSON.stringify(payload);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    if (path !== '/healthz' && path !== '/readyz')
      return send(res, 404, { errors: [{ message: 'This port serves only GET /healthz and /readyz.', extensions: { code: 'NOT_FOUND' } }] });
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return send(res, 405, { errors: [{ message: 'Probes are read with GET.', extensions: { code: 'METHOD_NOT_ALLOWED' } }] });
    }
    const silentMs = Date.now() - (view[0] ?? 0);
    const stalled = silentMs > stallMs;
    if (path === '/healthz') return stalled ? send(res, 503, { status: 'stalled', eventLoopSilentMs: Math.round(silentMs) }) : send(res, 200, { status: 'ok' });
    if (view[1] === 1) return send(res, 503, { ready: false, reason: 'draining' });
    if (stalled) return send(res, 503, { ready: false, reason: 'stalled', eventLoopSilentMs: Math.round(silentMs) });
    return send(res, 200, { ready: true });
  });
  server.once('error', (error) => parentPort?.postMessage({ error: error.message }));
  server.listen(port, host, () => {
    const address = server.address();
    parentPort?.postMessage({ port: typeof address === 'object' && address ? address.port : port });
  });
  parentPort?.on('message', (message) => {
    if (message !== 'close') return;
    server.close(() => parentPort?.postMessage('closed'));
    server.closeAllConnections();
  });
}

/** Starts the thread and its listener on `host`:`port` (0: a free port the system picks); rejects when it cannot listen. */
export async function startProbeListener(host: string, port: number, logger: Logger, stallMs = STALL_MS): Promise<ProbeListener> {
  const view = new Float64Array(new SharedArrayBuffer(2 * Float64Array.BYTES_PER_ELEMENT));
  view[BEAT] = Date.now();
  const beat = setInterval(() => (view[BEAT] = Date.now()), HEARTBEAT_MS);
  beat.unref();
  const worker = new Worker(`(${probeThread.toString()})()`, {
    eval: true,
    workerData: { view, host, port, stallMs } satisfies ProbeThreadData,
  });
  // The thread never keeps the process alive by itself: the gateway's own listener does.
  worker.unref();
  const listening = await new Promise<{ port?: number; error?: string }>((resolve) => {
    worker.once('message', resolve);
    worker.once('error', (error) => resolve({ error: error.message }));
    worker.once('exit', (code) => resolve({ error: `the probe thread ended (exit ${code})` }));
  });
  if (listening.port === undefined) {
    clearInterval(beat);
    await worker.terminate();
    throw new Error(`PROBE_PORT ${port}: ${listening.error ?? 'could not listen'}`);
  }
  // A thread that dies later leaves the probes unanswered, so the orchestrator restarts the process;
  // the log says why.
  let closing = false;
  worker.on('error', (error) => logger.error({ error: error.message }, 'the probe thread failed; PROBE_PORT no longer answers'));
  worker.on('exit', (code) => {
    if (!closing) logger.error({ code }, 'the probe thread ended; PROBE_PORT no longer answers');
  });
  return {
    port: listening.port,
    draining: () => {
      view[DRAINING] = 1;
    },
    async close() {
      closing = true;
      clearInterval(beat);
      const closed = new Promise<void>((resolve) => {
        worker.once('message', () => resolve());
        worker.once('exit', () => resolve());
      });
      worker.postMessage('close');
      await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
      await worker.terminate();
    },
  };
}
