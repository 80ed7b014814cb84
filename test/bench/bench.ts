/**
 * `npm run bench`: the gateway against the floor (test/bench/floor-server.ts), both loaded with
 * autocannon from this process while the simulator plays the Console, each a separate process.
 * Every case runs interleaved (gateway, floor, gateway, floor …) so that machine drift cancels;
 * figures are medians over the rounds, ratios are gateway ÷ floor.
 *
 *   npm run bench -- --cases=dashboard,login --latencies=0,20 --connections=10,50 --duration=10 --warmup=3 --rounds=2
 *   npm run bench -- --smoke     (CI: one short case; exits 1 unless throughput > 0 and errors = 0)
 * The same settings can come from BENCH_CASES, BENCH_LATENCIES, BENCH_CONNECTIONS, BENCH_DURATION,
 * BENCH_WARMUP, BENCH_ROUNDS. Then what tracing costs (tracing-cost.ts): off, 10 % and 100 %
 * sampling and an untraced control, loaded at the same time, on `dashboard-onepage` and `dashboard`
 * (those of them selected), 4 connections each, `--tracing-rounds=4` (BENCH_TRACING_ROUNDS; 0 skips
 * it; the smoke run skips it). `--tracing-variants=<JSON>` (BENCH_TRACING_VARIANTS) replaces those
 * four, the first the baseline (tracing-cost.ts, parseTracingVariants). Results: tables on stdout
 * and JSON in test/bench/results/.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import os from 'node:os';
import autocannon from 'autocannon';
import { BENCH_GATEWAY_ENV, CASES, CONSOLE_ROUTES, gatewayEnvOf, type BenchCase } from './cases.js';
import { loginAt, manyUsersLoad, requestHeaders, usersOf as usersOfCase } from './bench-users.js';
import { allocationMeter, cpuMs, median, peakRssMb, rssMb } from './proc-stats.js';
import { freePort, startGatewayProcess, startProcess, startProcesses, waitForHealth, type Started } from '../support/processes.js';
import { formatColdTable, formatRestMemoryTable, formatTable, type ColdCalls, type RestMemory, type Row, type TargetFigures } from './table.js';
import { formatTracingTable, measureTracingCost, parseTracingVariants, type TracingFigures, type TracingVariant } from './tracing-cost.js';

const argv = Object.fromEntries(
  process.argv.slice(2).map((arg) => {
    // Split at the first "=" only: a JSON value (--tracing-variants) may hold more.
    const setting = arg.replace(/^--/, '');
    const at = setting.indexOf('=');
    return at < 0 ? [setting, 'true'] : [setting.slice(0, at), setting.slice(at + 1)];
  }),
);
const smoke = argv.smoke === 'true';
const setting = (name: string, env: string, fallback: string, smokeValue: string) => argv[name] ?? process.env[env] ?? (smoke ? smokeValue : fallback);
const list = (value: string) =>
  value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
const numbers = (value: string) => list(value).map(Number);

const selected = list(setting('cases', 'BENCH_CASES', CASES.map((c) => c.name).join(','), 'dashboard,dashboard-production'));
const latencies = numbers(setting('latencies', 'BENCH_LATENCIES', '0,20', '0'));
const connectionCounts = numbers(setting('connections', 'BENCH_CONNECTIONS', '10,50', '10'));
const duration = Number(setting('duration', 'BENCH_DURATION', '10', '2'));
const warmup = Number(setting('warmup', 'BENCH_WARMUP', '3', '1'));
const rounds = Number(setting('rounds', 'BENCH_ROUNDS', '2', '1'));
const tracingRounds = Number(setting('tracing-rounds', 'BENCH_TRACING_ROUNDS', '4', '0'));
const variantsJson = argv['tracing-variants'] ?? process.env.BENCH_TRACING_VARIANTS;
let tracingVariants: TracingVariant[] | undefined;
try {
  tracingVariants = variantsJson?.trim() ? parseTracingVariants(variantsJson) : undefined;
} catch (error) {
  console.error(`bench: ${(error as Error).message}`);
  process.exit(2);
}
const unknown = selected.filter((name) => !CASES.some((c) => c.name === name));
if (
  unknown.length > 0 ||
  [duration, warmup, rounds, tracingRounds, ...latencies, ...connectionCounts].some((n) => !Number.isFinite(n) || n < 0) ||
  rounds < 1 ||
  duration <= 0
) {
  console.error(`bench: bad settings (unknown cases: ${unknown.join(', ') || 'none'}); cases are ${CASES.map((c) => c.name).join(', ')}`);
  process.exit(2);
}

// Both targets count their heap allocation the same way (test/bench/alloc-meter.mjs).
const meter = allocationMeter();
// The trusted-document manifest of the cases sent by id, as graphql-codegen writes one.
const documentIdOf = (query: string) => `sha256:${createHash('sha256').update(query).digest('hex')}`;
const manifestFile = join(mkdtempSync(join(tmpdir(), 'flecs-graph-bench-')), 'trusted-documents.json');
writeFileSync(manifestFile, JSON.stringify(Object.fromEntries(CASES.filter((c) => c.byDocumentId).map((c) => [documentIdOf(c.query), c.query]))));
const trustedEnv = { TRUSTED_DOCUMENTS_FILE: manifestFile };
const gatewayNodeArgs = [...meter.nodeArgs, ...(process.env.BENCH_GATEWAY_NODE_ARGS ?? '').split(' ').filter(Boolean)];
const {
  simulator,
  gateway,
  simUrl,
  url: gatewayUrl,
} = await startProcesses(
  { NODE_ENV: 'production', LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info', ...BENCH_GATEWAY_ENV, ...trustedEnv, ...meter.env },
  {},
  {
    quietGateway: true,
    gatewayNodeArgs,
  },
);
// Node's own type stripping, not swc-node: a TypeScript compiler in the floor's process would add
// ~70 MB to its RSS and make the gateway's memory look small beside it.
const FLOOR_NODE_ARGS = ['--experimental-strip-types', '--disable-warning=ExperimentalWarning'];
const floorPort = await freePort();
const floor = startProcess(
  'test/bench/floor-server.ts',
  { FLOOR_PORT: String(floorPort), CONSOLE_URL: simUrl, ...meter.env },
  { nodeArgs: [...FLOOR_NODE_ARGS, ...meter.nodeArgs] },
);
await floor.waitFor(/floor listening/);
const floorBase = `http://127.0.0.1:${floorPort}`;

const admin = (method: string, path: string, body?: unknown) =>
  fetch(`${simUrl}/__admin/${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }).then(
    (r) => r.json() as Promise<Record<string, unknown>>,
  );

const login = (user: string) => loginAt(gatewayUrl, user);

interface Target {
  label: 'gateway' | 'floor';
  process: (c: BenchCase) => Started;
  url: (c: BenchCase) => string;
  body: (c: BenchCase) => string;
  verify: (body: string | Buffer | undefined) => boolean;
}

const tokens = new Map<string, string>();
const usersOf = (c: BenchCase) => usersOfCase(c, Math.max(...connectionCounts));
for (const user of new Set(CASES.filter((c) => c.auth && selected.includes(c.name)).flatMap(usersOf))) tokens.set(user, await login(user));
const tokenOf = (c: BenchCase) => tokens.get(usersOf(c)[0])!;
// A case with settings of its own (gatewayEnv) runs on a gateway of its own, started before the load.
const ownGateways = new Map<BenchCase, { process: Started; url: string }>();
for (const c of CASES.filter((x) => x.gatewayEnv && selected.includes(x.name)))
  ownGateways.set(
    c,
    await startGatewayProcess(
      { NODE_ENV: 'production', LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info', CONSOLE_URL: simUrl, ...gatewayEnvOf(c), ...trustedEnv, ...meter.env },
      undefined,
      { quiet: true, nodeArgs: gatewayNodeArgs },
    ),
  );
const targets: Target[] = [
  {
    label: 'gateway',
    process: (c) => ownGateways.get(c)?.process ?? gateway,
    url: (c) => ownGateways.get(c)?.url ?? gatewayUrl,
    body: (c) =>
      JSON.stringify(c.byDocumentId ? { documentId: documentIdOf(c.query), variables: c.variables ?? {} } : { query: c.query, variables: c.variables ?? {} }),
    verify: (body) => String(body).startsWith('{"data"') && !String(body).includes('"errors"'),
  },
  { label: 'floor', process: () => floor, url: (c) => `${floorBase}${c.floorPath}`, body: () => '{}', verify: (body) => String(body).startsWith('{"data"') },
];

async function load(target: Target, c: BenchCase, connections: number, seconds: number) {
  const userTokens = usersOf(c).map((user) => tokens.get(user)!);
  return autocannon({
    url: target.url(c),
    method: 'POST',
    connections,
    duration: seconds,
    headers: requestHeaders(c, tokenOf(c)),
    ...manyUsersLoad(c, userTokens),
    body: target.body(c),
    // autocannon does not decompress: a compressed answer is checked by its encoding header instead.
    ...(c.headers?.['accept-encoding'] ? {} : { verifyBody: target.verify }),
  });
}

async function measure(target: Target, c: BenchCase, connections: number): Promise<TargetFigures> {
  const pid = target.process(c).child.pid!;
  await admin('POST', 'reset');
  const cpuBefore = cpuMs(pid);
  const { result, allocatedBytes: allocated } = await meter.window(pid, () => load(target, c, connections, duration));
  const cpu = cpuMs(pid) - cpuBefore;
  const calls = Object.values((await admin('GET', 'stats')).requests as Record<string, number>).reduce((a, b) => a + b, 0);
  const ok = result['2xx'];
  return {
    rps: ok / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx + result.mismatches,
    callsPerOp: ok > 0 ? calls / ok : 0,
    cpuMsPerOp: ok > 0 ? cpu / ok : 0,
    allocKbPerOp: ok > 0 ? allocated / ok / 1024 : 0,
    peakRssMb: peakRssMb(pid),
  };
}

function combine(runs: TargetFigures[]): TargetFigures {
  return {
    rps: median(runs.map((r) => r.rps)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    errors: runs.reduce((a, r) => a + r.errors, 0),
    callsPerOp: median(runs.map((r) => r.callsPerOp)),
    cpuMsPerOp: median(runs.map((r) => r.cpuMsPerOp)),
    allocKbPerOp: median(runs.map((r) => r.allocKbPerOp)),
    peakRssMb: Math.max(...runs.map((r) => r.peakRssMb)),
  };
}

const REST_MS = 10_000;
const rest = () => new Promise((resolve) => setTimeout(resolve, REST_MS));

/**
 * One request of each case against fresh gateway and floor processes: the cold cost in Console
 * calls; with `restRss`, also their RSS after REST_MS of rest (what a replica holds after its first operation).
 */
async function coldCalls(c: BenchCase, restRss?: Record<string, number>): Promise<ColdCalls> {
  const counts: Record<string, number> = {};
  for (const target of targets) {
    const port = await freePort();
    const fresh =
      target.label === 'gateway'
        ? startProcess(
            'dist/src/index.js',
            {
              PORT: String(port),
              METRICS_PORT: String(port),
              ...gatewayEnvOf(c),
              ...trustedEnv,
              HOST: '127.0.0.1',
              CONSOLE_URL: simUrl,
              NODE_ENV: 'production',
              LOG_LEVEL: 'warn',
            },
            { quiet: true },
          )
        : startProcess('test/bench/floor-server.ts', { FLOOR_PORT: String(port), CONSOLE_URL: simUrl }, { nodeArgs: FLOOR_NODE_ARGS });
    try {
      const url = target.label === 'gateway' ? `http://127.0.0.1:${port}/graphql` : `http://127.0.0.1:${port}${c.floorPath}`;
      if (target.label === 'gateway') await waitForHealth(url);
      else await fresh.waitFor(/floor listening/);
      await admin('POST', 'reset');
      const res = await fetch(url, {
        method: 'POST',
        headers: requestHeaders(c, tokenOf(c)),
        body: target.body(c),
      });
      if (!target.verify(await res.text())) throw new Error(`cold ${c.name} on the ${target.label} did not answer in full`);
      counts[target.label] = Object.values((await admin('GET', 'stats')).requests as Record<string, number>).reduce((a, b) => a + b, 0);
      if (restRss) {
        await rest();
        restRss[target.label] = rssMb(fresh.child.pid!);
      }
    } finally {
      await fresh.stop();
    }
  }
  return { case: c.name, gateway: counts.gateway ?? 0, floor: counts.floor ?? 0 };
}

const rows: Row[] = [];
const cold: ColdCalls[] = [];
let tracing: TracingFigures[] = [];
const memory: RestMemory = {};
try {
  if (!smoke)
    for (const [i, c] of CASES.filter((x) => selected.includes(x.name)).entries()) {
      const restRss: Record<string, number> | undefined = i === 0 ? {} : undefined;
      cold.push(await coldCalls(c, restRss));
      if (restRss) memory.firstOperation = { case: c.name, gateway: restRss.gateway, floor: restRss.floor };
    }
  for (const latency of latencies) {
    await admin('DELETE', 'faults');
    if (latency > 0) for (const route of CONSOLE_ROUTES) await admin('POST', 'faults', { route, latencyMs: latency });
    for (const c of CASES.filter((x) => selected.includes(x.name))) {
      for (const connections of connectionCounts) {
        for (const target of targets) await load(target, c, connections, warmup);
        const runs: Record<Target['label'], TargetFigures[]> = { gateway: [], floor: [] };
        for (let round = 0; round < rounds; round += 1) for (const target of targets) runs[target.label].push(await measure(target, c, connections));
        const row: Row = { case: c.name, latencyMs: latency, connections, gateway: combine(runs.gateway), floor: combine(runs.floor) };
        rows.push(row);
        process.stderr.write(
          `bench: ${c.name} ${latency} ms ${connections} conns: gateway ${row.gateway.rps.toFixed(0)}/s, floor ${row.floor.rps.toFixed(0)}/s\n`,
        );
      }
    }
  }
  if (!smoke) {
    await rest();
    memory.afterLoad = { gateway: rssMb(gateway.child.pid!), floor: rssMb(floor.child.pid!) };
  }
  const tracedCases = CASES.filter((c) => (c.name === 'dashboard-onepage' || c.name === 'dashboard') && selected.includes(c.name));
  if (tracingRounds > 0 && tracedCases.length > 0) {
    await admin('DELETE', 'faults');
    for (const user of new Set(tracedCases.map((c) => c.user ?? 'demo'))) if (!tokens.has(user)) tokens.set(user, await login(user));
    tracing = await measureTracingCost({
      simUrl,
      cases: tracedCases,
      // Per gateway; four are loaded at once (tracing-cost.ts), 16 connections in all.
      connections: 4,
      seconds: duration,
      // A traced gateway reaches its steady state later (per-thread CPU of a 10 % gateway fell from
      // +60 % to +13 % on the main thread over three 10 s rounds), so it warms up longer.
      warmupSeconds: Math.max(warmup, 10),
      rounds: tracingRounds,
      gatewayEnv: { NODE_ENV: 'production', LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info', ...BENCH_GATEWAY_ENV, ...meter.env },
      nodeArgs: gatewayNodeArgs,
      tokenOf,
      bodyOf: targets[0].body,
      verify: targets[0].verify,
      allocatedDuring: (pid, work) => meter.window(pid, work),
      ...(tracingVariants ? { variants: tracingVariants } : {}),
    });
  }
} finally {
  await Promise.all([gateway.stop(), floor.stop(), simulator.stop(), ...[...ownGateways.values()].map((g) => g.process.stop())]);
  meter.remove();
}

const meta = {
  date: new Date().toISOString(),
  machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.platform()} ${os.release()}`,
  node: process.version,
  durationSeconds: duration,
  warmupSeconds: warmup,
  rounds,
  tracingRounds,
};
console.log(formatTable(rows, meta));
if (cold.length > 0) console.log(`\n${formatColdTable(cold)}`);
if (memory.firstOperation || memory.afterLoad) console.log(`\n${formatRestMemoryTable(memory)}`);
if (tracing.length > 0) console.log(`\n${formatTracingTable(tracing, tracingRounds)}`);
const file = `test/bench/results/run-${meta.date.replace(/[:.]/g, '-')}.json`;
writeFileSync(file, `${JSON.stringify({ meta, rows, cold, memory, tracing }, null, 2)}\n`);
console.log(`\nwritten: ${file}`);

if (smoke) {
  const measured = (f: TargetFigures) => f.rps > 0 && f.errors === 0 && f.allocKbPerOp > 0 && f.peakRssMb > 0;
  const bad = rows.filter((r) => !(measured(r.gateway) && measured(r.floor)));
  console.log(
    bad.length === 0
      ? 'bench smoke: PASS (non-zero throughput, allocation and RSS measured, zero errors)'
      : `bench smoke: FAIL (${bad.length} rows with no throughput, no allocation or RSS figure, or with errors)`,
  );
  process.exit(bad.length === 0 ? 0 : 1);
}
