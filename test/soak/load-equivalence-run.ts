/**
 * `npm run soak:equivalence`: EQUIVALENCE_REQUESTS (20,000) requests from 64 clients for 128
 * users, dashboards and line items' products, every answer compared in full with the Console's
 * data (test/soak/load-equivalence.ts): without CONSOLE_STORE_IDS (no store learned, and stores
 * learned while the run goes on) and with it, on a CPU contended by
 * one busy process per core. Exits 1 on any wrong answer.
 */
import { readInt } from '../../src/common/env.js';
import { runEquivalence } from './load-equivalence.js';

const requests = readInt(process.env, 'EQUIVALENCE_REQUESTS', 20_000, 1, 10_000_000);
const runs = readInt(process.env, 'EQUIVALENCE_RUNS', 3, 1, 100);
let wrong = 0;
for (let run = 1; run <= runs; run += 1) {
  for (const knowledge of ['unlearned', 'learning', 'configured'] as const) {
    const label = knowledge === 'configured' ? 'CONSOLE_STORE_IDS' : knowledge === 'learning' ? 'stores learned during the run' : 'no store learned';
    const result = await runEquivalence({ users: 128, clients: 64, requests, knowledge, contended: true });
    wrong += result.wrongCount;
    console.log(
      `run ${run}, ${label}: ${result.requests} requests in ${result.seconds.toFixed(0)} s, ${result.wrongCount} wrong, ${result.refused} refused by a limit, ${result.overloaded} OVERLOADED then retried`,
    );
    for (const line of result.wrong) console.log(`  ${line}`);
  }
}
process.exitCode = wrong > 0 ? 1 : 0;
