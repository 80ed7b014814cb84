import { describe, expect, it } from '@jest/globals';
import { runEquivalence } from '../soak/load-equivalence.js';

/**
 * Many users at once, at default settings (budgets on): 5,000 requests from 64 clients for 64
 * users, dashboards and every line item's product, each answer compared in full with the Console's
 * data (test/soak/load-equivalence.ts). Without CONSOLE_STORE_IDS while anonymous visitors browse
 * the stores (so stores are learned while searches run), and with it. `npm run soak:equivalence`
 * runs 20,000 per case, three times, with a busy process per core.
 */
describe('every answer under load equals the Console data', () => {
  it.each(['learning', 'configured'] as const)(
    'should answer 5,000 requests of 64 users with stores %s exactly as the Console data says',
    async (knowledge) => {
      const run = await runEquivalence({ users: 64, clients: 64, requests: 5000, knowledge });
      process.stderr.write(
        `load equivalence (${knowledge}): ${run.requests} requests in ${run.seconds.toFixed(0)} s, ${run.wrongCount} wrong, ${run.refused} refused, ${run.overloaded} OVERLOADED then retried\n`,
      );
      expect(run.wrong).toEqual([]);
      // Every user keeps a budget of its own: nothing here is refused by a limit, and every request
      // is answered (an OVERLOADED one after its Retry-After).
      expect(run.refused).toBe(0);
    },
    240_000,
  );
});
