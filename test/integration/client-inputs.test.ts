import { describe, expect, it } from '@jest/globals';
import { measureClientInputs } from '../soak/client-inputs.js';

/**
 * Nothing a client chooses grows the gateway's memory: operation names, variable names, extension
 * keys, documents, persisted-query hashes and document ids, cursors, bearer tokens, login
 * usernames and the headers the gateway reads, 1,000 distinct values each (100 kB names) against a
 * gateway at production settings (test/soak/client-inputs.ts says which setting differs and why).
 * `npm run soak:inputs` runs 10,000 of each. Before operation names were bounded, 1,000 of them
 * grew the live heap by ~96 MB.
 */
describe('every input a client chooses, at production settings', () => {
  it('should keep the live heap within 20 MB of where it was for each input, answer every request, and stay within one budget of Console calls', async () => {
    const run = await measureClientInputs(1000, 100_000, (line) => process.stderr.write(`client inputs: ${line}\n`));
    expect(run.inputs.length).toBeGreaterThanOrEqual(10);
    const grown = run.inputs.filter((i) => i.after - i.before >= 20 * 1_048_576).map((i) => `${i.name}: +${((i.after - i.before) / 1_048_576).toFixed(0)} MB`);
    expect(grown).toEqual([]);
    expect(run.inputs.filter((i) => i.broken > 0).map((i) => `${i.name}: ${i.broken} broken`)).toEqual([]);
    expect(run.consoleCalls).toBeLessThanOrEqual(run.budgetAllows);
  }, 240_000);
});
