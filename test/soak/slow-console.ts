import { spawn } from 'node:child_process';
import { consoleLogin } from '../support/console-login.js';
import { contendCpu, freePort, killedOnExit, startProcesses } from '../support/processes.js';
import { cpuMs, machineCpu, machineShares, type MachineCpu } from '../bench/proc-stats.js';

/**
 * A Console slower than the load asks for (`latencyMs` on every /my/ route), `clients` clients
 * asking for dashboards for `seconds` against a gateway built as users run it, probes polled from a
 * process of their own: what the Console can serve must become complete answers, the rest be
 * refused fast with 503 OVERLOADED, and the probes stay quick. Used by
 * test/integration/slow-console.test.ts (a short run) and `npm run soak:slow-console` (the size of
 * a real overload: 1,000 clients at +2 s).
 */
export interface SlowConsoleOptions {
  clients: number;
  users: number;
  latencyMs: number;
  seconds: number;
  /** CONSOLE_MAX_CONNECTIONS; undefined: the gateway's default. */
  connections?: number;
  /** A busy process per core for the run. */
  contended: boolean;
  /** Leaves the gateway and the simulator running (and returns them) for a test's further checks. */
  keep?: boolean;
}

export interface SlowConsoleResult {
  complete: number;
  /**
   * Complete dashboards per second of the load, by when they were answered (the last second holds
   * those answered after the load's end): a run that missed its capacity says whether it was lost
   * in the cold start or all along.
   */
  completePerSecond: number[];
  /** The Console's capacity over the run, in three-call dashboards. */
  capacity: number;
  refused: number;
  /** Milliseconds of refusals sent after the cold start, sorted. */
  refusalMs: number[];
  refusalsWithoutRetryAfter: string[];
  codes: Map<string, number>;
  /** The slowest probe of each kind on PROBE_PORT (as the Kubernetes base sends them), and when it came (ms after the load began). */
  probe: ProbeTimes;
  /** The same probes sent to the main port, which the event loop answers among the load. */
  mainPortProbe: ProbeTimes;
  consoleCallsPerRoute: number;
  /**
   * How long the /my/ calls answered 200 took on average as the gateway timed them (from sending to
   * its answer read): `latencyMs` plus the simulator's and the gateway's own delays. A connection is
   * held that long per call, so it sets what the Console could really serve over the run.
   */
  consoleCallMs: number;
  /** The gateway's CPU time over the load, per answer (complete or refused), in milliseconds. */
  cpuMsPerAnswer: number;
  /** The gateway's CPU time over the load in cores (1 = one core for the whole load). */
  gatewayCores: number;
  /**
   * How the machine's CPU was shared over the load, in per cent: a run whose figures miss says
   * whether the machine itself had little left (idle near 0, steal high) or the gateway did worse.
   */
  machine: MachineCpu;
  openedCircuits: string[];
  /** Operations not run, by reason (flecs_graph_operations_not_run_total), and the admission's limit at the end: where refusals came from. */
  notRun: Record<string, number>;
  admissionLimit: number;
  stop(): Promise<void>;
  simUrl: string;
  url: string;
}

export interface ProbeTimes {
  healthz: number;
  readyz: number;
  failed: number;
  healthzAt: number;
  readyzAt: number;
}

export const DASHBOARD = '{ me { products { items { id } } apps { items { id } } subscriptions { total } } }';
export const MY_ROUTES = ['GET /api/v2/my/products', 'GET /api/v2/my/products/apps', 'GET /api/v2/my/subscriptions'];
/** The first seconds are the cold start: every client arrives at once at a process that has compiled and verified nothing yet. */
const COLD_START_MS = 1500;

/**
 * Polls /healthz and /readyz on each base URL (argv[1], comma-separated) from a process of its own
 * every 100 ms; prints the slowest answer of each, per base. Its first fetch is not timed (it loads
 * the child's HTTP client, hundreds of milliseconds on a contended CPU, which is the probe's cost,
 * not the gateway's); it says "ready" after it.
 */
const PROBE_SCRIPT = `
const bases = process.argv[1].split(',');
const worst = bases.map(() => ({ healthz: 0, readyz: 0, failed: 0, healthzAt: 0, readyzAt: 0 }));
(async () => {
  for (const base of bases) await (await fetch(base + '/healthz')).text();
  process.stderr.write('ready\\n');
  const from = Date.now();
  const until = from + Number(process.argv[2]);
  while (Date.now() < until) {
    for (const [i, base] of bases.entries()) {
      for (const path of ['healthz', 'readyz']) {
        const started = performance.now();
        try { const res = await fetch(base + '/' + path); await res.text(); if (res.status !== 200) worst[i].failed += 1; }
        catch { worst[i].failed += 1; }
        const took = performance.now() - started;
        if (took > worst[i][path]) { worst[i][path] = took; worst[i][path + 'At'] = Date.now() - from; }
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  process.stdout.write(JSON.stringify(worst));
})();`;

/** What the clients' process reports (CLIENTS_SCRIPT). */
interface ClientsOutcome {
  complete: number;
  completePerSecond: number[];
  refused: number;
  refusalMs: number[];
  refusalsWithoutRetryAfter: string[];
  codes: Record<string, number>;
}

/**
 * `clients` clients asking for dashboards for `seconds` once a line comes on stdin (argv[1]: its
 * options as JSON), each as user `c mod users`; prints a ClientsOutcome. A refused client waits a
 * fraction of Retry-After (jittered, to keep the pressure on) as a well-behaved client waits it all.
 * Refusals are timed for requests sent after the cold start (one sent during it can end after it).
 */
const CLIENTS_SCRIPT = `
const { Pool } = require('undici');
const o = JSON.parse(process.argv[1]);
const pool = new Pool(o.origin, { connections: o.clients });
const out = { complete: 0, completePerSecond: new Array(o.seconds + 1).fill(0), refused: 0, refusalMs: [], refusalsWithoutRetryAfter: [], codes: {} };
process.stderr.write('ready\\n');
process.stdin.once('data', async () => {
  const loadStarted = Date.now();
  const stopAt = loadStarted + o.seconds * 1000;
  const warm = loadStarted + o.coldStartMs;
  const body = JSON.stringify({ query: o.query });
  await Promise.all(Array.from({ length: o.clients }, async (_, c) => {
    const headers = { 'content-type': 'application/json', authorization: 'Bearer ' + o.tokens[c % o.tokens.length] };
    while (Date.now() < stopAt) {
      const started = performance.now();
      const sentAt = Date.now();
      const res = await pool.request({ method: 'POST', path: '/graphql', headers, body });
      const answer = await res.body.json();
      for (const e of answer.errors ?? []) { const code = e.extensions?.code ?? '?'; out.codes[code] = (out.codes[code] ?? 0) + 1; }
      if (res.statusCode === 200 && !answer.errors) {
        out.complete += 1;
        out.completePerSecond[Math.min(o.seconds, Math.floor((Date.now() - loadStarted) / 1000))] += 1;
      } else if (res.statusCode === 503) {
        out.refused += 1;
        if (sentAt > warm) out.refusalMs.push(performance.now() - started);
        const retryAfter = Number(res.headers['retry-after']);
        if (!(retryAfter >= 1)) out.refusalsWithoutRetryAfter.push(String(res.headers['retry-after']));
        await new Promise((r) => setTimeout(r, retryAfter * 1000 * (0.2 + Math.random() * 0.3)));
      }
    }
  }));
  await pool.close();
  process.stdout.write(JSON.stringify(out));
});`;

export async function runSlowConsole(options: SlowConsoleOptions): Promise<SlowConsoleResult> {
  const probePort = await freePort();
  const { simulator, gateway, simUrl, url } = await startProcesses({
    NODE_ENV: 'production',
    // As the Kubernetes base runs it: the probes on a port and a thread of their own.
    PROBE_PORT: String(probePort),
    ...(options.connections ? { CONSOLE_MAX_CONNECTIONS: String(options.connections) } : {}),
  });
  const stop = async () => {
    await gateway.stop();
    await simulator.stop();
  };
  const admin = async (method: string, path: string, body?: unknown) =>
    (
      await fetch(`${simUrl}/__admin/${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) })
    ).json() as Promise<Record<string, unknown>>;
  try {
    const tokens: string[] = [];
    for (let u = 1; u <= options.users; u += 1) {
      tokens.push(await consoleLogin(simUrl, `user${u}`));
    }
    for (const route of MY_ROUTES) await admin('POST', 'faults', { route, latencyMs: options.latencyMs });
    await admin('POST', 'reset');
    const probeBases = [`http://127.0.0.1:${probePort}`, url.replace(/\/graphql$/, '')].join(',');
    const probes = await startReporter<[ProbeTimes, ProbeTimes]>('probe', PROBE_SCRIPT, probeBases, String(options.seconds * 1000));
    // The clients run in a process of their own, as the probes do: in the test's own process their
    // timings were those of Jest's worker too, which on a contended CPU once stalled every client
    // at once for two seconds while the gateway answered the probes on its main port within 0.4 s.
    const clients = await startReporter<ClientsOutcome>(
      'clients',
      CLIENTS_SCRIPT,
      JSON.stringify({ origin: new URL(url).origin, tokens, clients: options.clients, seconds: options.seconds, coldStartMs: COLD_START_MS, query: DASHBOARD }),
    );
    const busy = options.contended ? contendCpu() : undefined;
    const pid = gateway.child.pid!;
    const cpuBefore = cpuMs(pid);
    const machineBefore = machineCpu();
    let loaded: ClientsOutcome;
    try {
      clients.go();
      loaded = await clients.outcome;
    } finally {
      busy?.stop();
    }
    const { complete, completePerSecond, refused, refusalMs, refusalsWithoutRetryAfter } = loaded;
    const codes = new Map(Object.entries(loaded.codes));
    const gatewayCpuMs = cpuMs(pid) - cpuBefore;
    const machine = machineShares(machineBefore, machineCpu());
    const [probe, mainPortProbe] = await probes.outcome;
    const stats = (await admin('GET', 'stats')).requests as Record<string, number>;
    const metrics = await (await fetch(url.replace(/\/graphql$/, '/metrics'))).text();
    await admin('DELETE', 'faults');
    refusalMs.sort((a, b) => a - b);
    const result: SlowConsoleResult = {
      complete,
      completePerSecond,
      capacity: ((options.connections ?? 256) * options.seconds * 1000) / options.latencyMs / 3,
      refused,
      refusalMs,
      refusalsWithoutRetryAfter,
      codes,
      probe,
      mainPortProbe,
      consoleCallsPerRoute: Math.min(...MY_ROUTES.map((r) => stats[r] ?? 0)),
      consoleCallMs: meanCallMs(metrics),
      cpuMsPerAnswer: gatewayCpuMs / Math.max(1, complete + refused),
      gatewayCores: gatewayCpuMs / (options.seconds * 1000),
      machine,
      openedCircuits: metrics.split('\n').filter((l) => l.startsWith('flecs_graph_upstream_circuit_state{') && !l.endsWith(' 0')),
      notRun: Object.fromEntries([...metrics.matchAll(/^flecs_graph_operations_not_run_total\{reason="(\w+)"\} (\d+)/gm)].map((m) => [m[1], Number(m[2])])),
      admissionLimit: Number(/^flecs_graph_operation_concurrency_limit (\d+)/m.exec(metrics)?.[1] ?? NaN),
      stop,
      simUrl,
      url,
    };
    if (!options.keep) await stop();
    return result;
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Starts `node -e script ...args` (PROBE_SCRIPT, CLIENTS_SCRIPT) and resolves once it says "ready"
 * on stderr; `go()` writes the line a script waits for, `outcome` is the JSON it prints on stdout
 * when it ends. What else it writes on stderr is passed on.
 */
async function startReporter<T>(name: string, script: string, ...args: string[]): Promise<{ go(): void; outcome: Promise<T> }> {
  const child = killedOnExit(spawn(process.execPath, ['-e', script, ...args], { stdio: ['pipe', 'pipe', 'pipe'] }));
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  const outcome = new Promise<T>((resolve, reject) =>
    child.once('exit', (code) => {
      try {
        resolve(JSON.parse(output) as T);
      } catch {
        reject(new Error(`the ${name} process ended (${code}) without its outcome`));
      }
    }),
  );
  // Also awaited below when it ends before it is ready: its rejection is not left unhandled.
  outcome.catch(() => undefined);
  await new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => (d.toString().includes('ready') ? resolve() : process.stderr.write(d)));
    child.once('exit', (code) => reject(new Error(`the ${name} process ended (${code}) before it was ready`)));
  });
  return { go: () => child.stdin.end('go\n'), outcome };
}

/** The mean duration of the /my/ calls answered 200, in milliseconds, from the gateway's upstream histogram. */
function meanCallMs(metrics: string): number {
  const lines = metrics.split('\n');
  const value = (series: string) => Number(lines.find((l) => l.startsWith(`${series} `))?.slice(series.length + 1) ?? 0);
  let seconds = 0;
  let calls = 0;
  for (const route of MY_ROUTES) {
    const labels = `{route="${route}",status="200"}`;
    seconds += value(`flecs_graph_upstream_request_duration_seconds_sum${labels}`);
    calls += value(`flecs_graph_upstream_request_duration_seconds_count${labels}`);
  }
  return calls === 0 ? NaN : (1000 * seconds) / calls;
}

/** The refusal time at quantile `q` (0–1) of a sorted list; 0 when there is none. */
export function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

/** One line for the log: what the run did. */
export function describeRun(r: SlowConsoleResult): string {
  return (
    `${r.complete} complete dashboards of a capacity of ${r.capacity.toFixed(0)} (${((100 * r.complete) / r.capacity).toFixed(0)} %; per second ${r.completePerSecond.join(' ')}), ` +
    `${r.refused} refused (refusal p50 ${quantile(r.refusalMs, 0.5).toFixed(0)} ms, p99 ${quantile(r.refusalMs, 0.99).toFixed(0)} ms, slowest ${quantile(r.refusalMs, 1).toFixed(0)} ms), ` +
    `gateway CPU ${r.cpuMsPerAnswer.toFixed(2)} ms per answer (${r.gatewayCores.toFixed(2)} cores), ` +
    `machine ${r.machine.busy.toFixed(0)} % busy, ${r.machine.idle.toFixed(0)} % idle, ${r.machine.steal.toFixed(0)} % stolen, Console calls per /my/ route ${r.consoleCallsPerRoute} taking ${r.consoleCallMs.toFixed(0)} ms on average as the gateway timed them, ` +
    `errors ${JSON.stringify(Object.fromEntries(r.codes))}, not run by reason ${JSON.stringify(r.notRun)}, admission limit ${r.admissionLimit}, slowest probes on PROBE_PORT: ${probes(r.probe)}; on the main port: ${probes(r.mainPortProbe)}`
  );
}

function probes(p: ProbeTimes): string {
  return `/healthz ${p.healthz.toFixed(0)} ms (at ${(p.healthzAt / 1000).toFixed(1)} s), /readyz ${p.readyz.toFixed(0)} ms (at ${(p.readyzAt / 1000).toFixed(1)} s)`;
}
