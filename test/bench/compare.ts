/**
 * `npm run bench:compare`: two or more gateway variants (environment, Node flags, or another
 * build) on ONE simulator, loaded one after the other in interleaved rounds, so that a change is
 * measured against its baseline in the same minute of this noisy machine. No floor: for "is B
 * better than A", not for the README table (that is `npm run bench`).
 *
 *   COMPARE='[{"env":{"OPERATION_CONCURRENCY":"0"}},{}]' npm run bench:compare
 *   COMPARE='[{"script":"/tmp/old/dist/src/index.js"},{}]' COMPARE_CASE=lineitems COMPARE_CONNECTIONS=10 npm run bench:compare
 *
 * Each variant: `env` (added to the gateway's environment), `nodeArgs` (Node flags), `script`
 * (a built gateway entry, default dist/src/index.js; an old build must sit inside a folder whose
 * parents hold node_modules). Also COMPARE_CASE (dashboard), COMPARE_CONNECTIONS (50),
 * COMPARE_LATENCY_MS (0), COMPARE_SECONDS (5 per run), COMPARE_ROUNDS (3). Prints medians.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { freePort, startProcess, waitForHealth, type Started } from '../support/processes.js';
import { CASES } from './cases.js';
import { cpuMs, peakRssMb } from './proc-stats.js';

interface Variant {
  env?: Record<string, string>;
  nodeArgs?: string[];
  script?: string;
}

const ROUTES = ['POST /api/v2/auth/login', 'POST /api/v2/auth/validate', 'GET /api/v2/my/products', 'GET /api/v2/my/products/apps', 'GET /api/v2/my/subscriptions', 'GET /api/v2/products', 'GET /api/v2/products/apps'];

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

const allocDir = mkdtempSync(join(os.tmpdir(), 'flecs-compare-alloc-'));
const allocMeter = ['--import', new URL('./alloc-meter.mjs', import.meta.url).href];
const simulator = startProcess('dist/src/simulator/main.js', { SIMULATOR_PORT: '0', SIMULATOR_ADMIN: '1' });
const gateways: Array<{ process: Started; url: string }> = [];
try {
  const simUrl = (await simulator.waitFor(/listening on (http:\/\/\S+)/))[1]!;
  if (latencyMs > 0) for (const route of ROUTES) await fetch(`${simUrl}/__admin/faults`, { method: 'POST', body: JSON.stringify({ route, latencyMs }) });
  for (const variant of variants) {
    const port = await freePort();
    const env = { PORT: String(port), HOST: '127.0.0.1', CONSOLE_URL: simUrl, NODE_ENV: 'production', LOG_LEVEL: 'info', ALLOC_METER_DIR: allocDir, ...variant.env };
    const started = startProcess(variant.script ?? 'dist/src/index.js', env, { quiet: true, nodeArgs: [...allocMeter, ...(variant.nodeArgs ?? [])] });
    const url = `http://127.0.0.1:${port}/graphql`;
    await waitForHealth(url);
    gateways.push({ process: started, url });
  }
  const login = await fetch(gateways[0]!.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: 'mutation { login(username: "demo", password: "password") { token } }' }) });
  const token = ((await login.json()) as { data: { login: { token: string } } }).data.login.token;
  const load = (url: string, duration: number) =>
    autocannon({
      url,
      method: 'POST',
      connections,
      duration,
      headers: { 'content-type': 'application/json', ...(benchCase.auth ? { authorization: `Bearer ${token}` } : {}), ...benchCase.headers },
      body: JSON.stringify({ query: benchCase.query, variables: benchCase.variables ?? {} }),
    });
  const allocated = async (pid: number) => {
    const file = join(allocDir, `alloc-${pid}.json`);
    for (let waited = 0; waited < 3000; waited += 20) {
      try {
        const bytes = (JSON.parse(readFileSync(file, 'utf8')) as { allocatedBytes: number }).allocatedBytes;
        rmSync(file);
        return bytes;
      } catch {
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    return Number.NaN;
  };
  for (const g of gateways) await load(g.url, 2);
  const figures = gateways.map(() => ({ rps: [] as number[], cpu: [] as number[], alloc: [] as number[], p50: [] as number[], errors: 0 }));
  for (let round = 0; round < rounds; round += 1) {
    for (const [i, g] of gateways.entries()) {
      const pid = g.process.child.pid!;
      const cpuBefore = cpuMs(pid);
      process.kill(pid, 'SIGUSR2');
      const result = await load(g.url, seconds);
      process.kill(pid, 'SIGUSR2');
      const ok = result['2xx'];
      const f = figures[i]!;
      f.rps.push(ok / result.duration);
      f.cpu.push((cpuMs(pid) - cpuBefore) / Math.max(1, ok));
      f.alloc.push((await allocated(pid)) / Math.max(1, ok) / 1024);
      f.p50.push(result.latency.p50);
      f.errors += result.errors + result.timeouts + result.non2xx;
    }
  }
  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  };
  console.log(`${benchCase.name}, ${connections} connections, ${latencyMs} ms Console latency, ${rounds} × ${seconds} s per variant (medians)`);
  for (const [i, g] of gateways.entries()) {
    const f = figures[i]!;
    console.log(
      `${String.fromCharCode(65 + i)} ${JSON.stringify(variants[i])}: ${median(f.rps).toFixed(0)} req/s (${f.rps.map((v) => v.toFixed(0)).join(', ')}), ` +
        `CPU ${median(f.cpu).toFixed(2)} ms/op, alloc ${median(f.alloc).toFixed(0)} kB/op, p50 ${median(f.p50)} ms, ` +
        `peak RSS ${peakRssMb(g.process.child.pid!).toFixed(0)} MB, errors ${f.errors}`,
    );
  }
} finally {
  await Promise.all([...gateways.map((g) => g.process.stop()), simulator.stop()]);
  rmSync(allocDir, { recursive: true, force: true });
}
