/**
 * `npm run soak:slow-console`: a Console slowed to SLOW_CONSOLE_LATENCY_MS (2,000) on every /my/
 * route, SLOW_CONSOLE_CLIENTS (1,000) clients asking for dashboards for SLOW_CONSOLE_SECONDS (20)
 * at the gateway's default settings, on a CPU contended by one busy process per core unless
 * SLOW_CONSOLE_CONTENDED=false (test/soak/slow-console.ts). Prints what it saw, the gateway's CPU
 * per answer among it; exits 1 when refusals took p50 ≥ 50 ms or p99 ≥ 300 ms, a probe on
 * PROBE_PORT (where the Kubernetes base sends them) 250 ms or more, or fewer dashboards completed
 * than 90 % of what the Console can serve.
 */
import { readBool, readInt } from '../../src/common/env.js';
import { describeRun, quantile, runSlowConsole } from './slow-console.js';

const result = await runSlowConsole({
  clients: readInt(process.env, 'SLOW_CONSOLE_CLIENTS', 1000, 1, 100_000),
  users: 100,
  latencyMs: readInt(process.env, 'SLOW_CONSOLE_LATENCY_MS', 2000, 1, 60_000),
  seconds: readInt(process.env, 'SLOW_CONSOLE_SECONDS', 20, 1, 3600),
  contended: readBool(process.env, 'SLOW_CONSOLE_CONTENDED', true),
});
console.log(describeRun(result));
const failures = [
  quantile(result.refusalMs, 0.5) >= 50 && 'refusal p50 ≥ 50 ms',
  quantile(result.refusalMs, 0.99) >= 300 && 'refusal p99 ≥ 300 ms',
  result.probe.healthz >= 250 && '/healthz ≥ 250 ms',
  result.probe.readyz >= 250 && '/readyz ≥ 250 ms',
  result.probe.failed > 0 && 'a probe failed',
  result.complete < 0.9 * result.capacity && 'fewer than 90 % of the capacity completed',
].filter(Boolean);
if (failures.length > 0) console.log(`not met: ${failures.join(', ')}`);
process.exitCode = failures.length > 0 ? 1 : 0;
