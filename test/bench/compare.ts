/**
 * `npm run bench:compare`: two or more gateway variants (environment, Node flags, or another
 * build) on ONE simulator, loaded one after the other in interleaved rounds, so that a change is
 * measured against its baseline in the same minute of this noisy machine. No floor: for "is B
 * better than A", not for the performance table (that is `npm run bench`).
 *
 *   COMPARE='[{"env":{"OPERATION_CONCURRENCY":"0"}},{}]' npm run bench:compare
 *   COMPARE='[{"script":"/tmp/old/dist/src/index.js"},{}]' COMPARE_CASE=lineitems COMPARE_CONNECTIONS=10 npm run bench:compare
 *
 * Each variant: `env` (added to the gateway's environment), `nodeArgs` (Node flags), `script`
 * (a built gateway entry, default dist/src/index.js; an old build must sit inside a folder whose
 * parents hold node_modules). Also COMPARE_CASE (dashboard), COMPARE_CONNECTIONS (50),
 * COMPARE_LATENCY_MS (0), COMPARE_SECONDS (5 per run), COMPARE_ROUNDS (3). Prints medians.
 */
import autocannon from 'autocannon';
import { freePort, startProcess, waitForHealth, type Started } from '../support/processes.js';
import { CASES, CONSOLE_ROUTES, gatewayEnvOf } from './cases.js';
import { manyUsersLoad, requestHeaders, usersOf } from './bench-users.js';
import { consoleLogin } from '../support/console-login.js';
import { allocationMeter, cpuMs, median, peakRssMb } from './proc-stats.js';

interface Variant {
  env?: Record<string, string>;
  nodeArgs?: string[];
  script?: string;
}

let variants: Variant[];
try {
  variants = JSON.parse(process.env.COMPARE ?? '[{},{}]') as Variant[];
  if (!Array.isArray(variants) || variants.length < 1) throw new Error('not a list');
} catch (error) {
  console.error(`bench:compare: COMPARE must be a JSON list of variants (${error instanceof Error ? error.message : String(error)})`);
  process.exit(2);
}
const benchCase = CASES.find((c) => c.name === (process.env.COMPARE_CASE ?? 'dashboard'));
if (!benchCase) {
  console.error(`bench:compare: unknown COMPARE_CASE; cases are ${CASES.map((c) => c.name).join(', ')}`);
  process.exit(2);
}
const connections = Number(process.env.COMPARE_CONNECTIONS ?? 50);
const latencyMs = Number(process.env.COMPARE_LATENCY_MS ?? 0);
const seconds = Number(process.env.COMPARE_SECONDS ?? 5);
const rounds = Number(process.env.COMPARE_ROUNDS ?? 3);

const meter = allocationMeter();
const simulator = startProcess('dist/src/simulator/main.js', { SIMULATOR_PORT: '0', SIMULATOR_ADMIN: '1' });
const gateways: Array<{ process: Started; url: string }> = [];
try {
  const simUrl = (await simulator.waitFor(/listening on (http:\/\/\S+)/))[1];
  if (latencyMs > 0)
    for (const route of CONSOLE_ROUTES) await fetch(`${simUrl}/__admin/faults`, { method: 'POST', body: JSON.stringify({ route, latencyMs }) });
  for (const variant of variants) {
    const port = await freePort();
    const env = {
      PORT: String(port),
      METRICS_PORT: String(port),
      ...gatewayEnvOf(benchCase),
      HOST: '127.0.0.1',
      CONSOLE_URL: simUrl,
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      ...meter.env,
      ...variant.env,
    };
    const started = startProcess(variant.script ?? 'dist/src/index.js', env, { quiet: true, nodeArgs: [...meter.nodeArgs, ...(variant.nodeArgs ?? [])] });
    const url = `http://127.0.0.1:${port}/graphql`;
    await waitForHealth(url);
    gateways.push({ process: started, url });
  }
  const tokens: string[] = [];
  // From the Console: a case with the production edge (dashboard-production) would refuse 500 logins from one address.
  for (const user of usersOf(benchCase, connections)) tokens.push(await consoleLogin(simUrl, user));
  const load = (url: string, duration: number) =>
    autocannon({
      url,
      method: 'POST',
      connections,
      duration,
      headers: requestHeaders(benchCase, tokens[0]),
      ...manyUsersLoad(benchCase, tokens),
      body: JSON.stringify({ query: benchCase.query, variables: benchCase.variables ?? {} }),
    });
  for (const g of gateways) await load(g.url, 2);
  const figures = gateways.map(() => ({ rps: [] as number[], cpu: [] as number[], alloc: [] as number[], p50: [] as number[], errors: 0 }));
  for (let round = 0; round < rounds; round += 1) {
    for (const [i, g] of gateways.entries()) {
      const pid = g.process.child.pid!;
      const cpuBefore = cpuMs(pid);
      const { result, allocatedBytes } = await meter.window(pid, () => load(g.url, seconds));
      const ok = result['2xx'];
      const f = figures[i];
      f.rps.push(ok / result.duration);
      f.cpu.push((cpuMs(pid) - cpuBefore) / Math.max(1, ok));
      f.alloc.push(allocatedBytes / Math.max(1, ok) / 1024);
      f.p50.push(result.latency.p50);
      f.errors += result.errors + result.timeouts + result.non2xx;
    }
  }
  console.log(`${benchCase.name}, ${connections} connections, ${latencyMs} ms Console latency, ${rounds} × ${seconds} s per variant (medians)`);
  for (const [i, g] of gateways.entries()) {
    const f = figures[i];
    console.log(
      `${String.fromCharCode(65 + i)} ${JSON.stringify(variants[i])}: ${median(f.rps).toFixed(0)} req/s (${f.rps.map((v) => v.toFixed(0)).join(', ')}), ` +
        `CPU ${median(f.cpu).toFixed(2)} ms/op, alloc ${median(f.alloc).toFixed(0)} kB/op, p50 ${median(f.p50)} ms, ` +
        `peak RSS ${peakRssMb(g.process.child.pid!).toFixed(0)} MB, errors ${f.errors}`,
    );
  }
} finally {
  await Promise.all([...gateways.map((g) => g.process.stop()), simulator.stop()]);
  meter.remove();
}
