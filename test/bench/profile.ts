/**
 * `npm run profile -- <case> [seconds]`: one benchmark case against the gateway alone, with V8's
 * CPU profiler on. Writes a .cpuprofile into profiles/ (open it in Chrome DevTools or VS Code).
 * `npm run profile -- raw <seconds> '<query>'` profiles any query of the demo user.
 * PROFILE_KIND=heap writes a .heapprofile (what the gateway still holds at the end, by allocating function).
 * PROFILE_KIND=perf records CPU time with Linux perf instead and prints where it went (test/bench/perf-record.ts).
 * PROFILE_KIND=alloc samples everything allocated during the load, garbage included, and prints it per request
 * by allocating function (test/bench/alloc-sample.ts).
 * PROFILE_GATEWAY_ENV='{"OTEL_EXPORTER_OTLP_ENDPOINT":"…"}' adds to the gateway's environment.
 */
import autocannon from 'autocannon';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { freePort, startProcesses } from '../support/processes.js';
import { CASES, gatewayEnvOf, type BenchCase } from './cases.js';
import { loginAt, manyUsersLoad, requestHeaders, usersOf } from './bench-users.js';
import { perfMissing, recordPerf, reportPerf } from './perf-record.js';
import { sampleAllocations } from './alloc-sample.js';

const name = process.argv[2] ?? 'dashboard';
const seconds = Math.min(120, Math.max(1, Number(process.argv[3] ?? 8)));
const c: BenchCase | undefined =
  name === 'raw' ? { name, query: process.argv[4] ?? '{ __typename }', floorPath: '', auth: true } : CASES.find((x) => x.name === name);
if (!c) {
  console.error(`profile: unknown case ${name}; cases are ${CASES.map((x) => x.name).join(', ')}, or raw`);
  process.exit(2);
}
const kind = process.env.PROFILE_KIND ?? 'cpu';
if (kind !== 'cpu' && kind !== 'heap' && kind !== 'perf' && kind !== 'alloc') {
  console.error(`profile: PROFILE_KIND is cpu (the default), heap, perf or alloc, not ${kind.slice(0, 40)}`);
  process.exit(2);
}
const missing = kind === 'perf' ? perfMissing() : undefined;
if (missing) {
  console.error(`profile: ${missing}`);
  process.exit(2);
}
const inspectPort = kind === 'alloc' ? await freePort() : 0;
const NODE_ARGS = {
  cpu: ['--cpu-prof', '--cpu-prof-dir=profiles'],
  // V8's sampling heap profiler (what is still held at the end, by the function that allocated it).
  heap: ['--heap-prof', '--heap-prof-dir=profiles', '--heap-prof-interval=16384'],
  // V8 also opens its log for this; it holds nothing perf needs.
  perf: ['--perf-basic-prof', '--no-logfile-per-isolate', '--logfile=/dev/null'],
  // The inspector on loopback, for the sampling heap profiler that keeps collected objects.
  alloc: [`--inspect=127.0.0.1:${inspectPort}`],
};
const { simulator, gateway, url } = await startProcesses(
  { NODE_ENV: 'production', LOG_LEVEL: 'info', ...gatewayEnvOf(c), ...(JSON.parse(process.env.PROFILE_GATEWAY_ENV ?? '{}') as Record<string, string>) },
  {},
  {
    quietGateway: true,
    gatewayNodeArgs: NODE_ARGS[kind],
  },
);
try {
  // Many-users cases: each of the 10 connections its own compactN user, or userN in turn.
  const users = usersOf(c, 10);
  const tokens: string[] = [];
  for (const user of users) tokens.push(await loginAt(url, user));
  const run = (duration: number) =>
    autocannon({
      url,
      method: 'POST',
      connections: 10,
      duration,
      headers: requestHeaders(c, tokens[0]),
      ...manyUsersLoad(c, tokens),
      body: JSON.stringify({ query: c.query }),
    });
  await run(2);
  const pid = gateway.child.pid!;
  const perfFile = join('profiles', `perf-${name}-${Date.now()}.data`);
  if (kind === 'perf' || kind === 'alloc') mkdirSync('profiles', { recursive: true });
  const sampling = kind === 'alloc' ? await sampleAllocations(inspectPort, join('profiles', `alloc-${name}-${Date.now()}.heapprofile`)) : undefined;
  // perf starts a second in, once the load is under way, and stops a second before it ends.
  const recorded = kind === 'perf' ? delay(1000).then(() => recordPerf(pid, Math.max(1, seconds - 2), perfFile)) : undefined;
  // A perf that fails while the load runs is reported when awaited below, not as an unhandled rejection.
  recorded?.catch(() => undefined);
  const result = await run(seconds);
  await recorded;
  console.log(`${name}: ${(result['2xx'] / result.duration).toFixed(0)} req/s, p50 ${result.latency.p50} ms, non-2xx ${result.non2xx}; profile in profiles/`);
  if (kind === 'perf') console.log(reportPerf(perfFile, pid));
  if (sampling) console.log(await sampling.stop(result['2xx']));
} finally {
  await gateway.stop();
  await simulator.stop();
}
