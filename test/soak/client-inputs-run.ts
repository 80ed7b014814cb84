/**
 * `npm run soak:inputs`: every input a client chooses, INPUTS_VALUES distinct values each (10,000 by
 * default; names of INPUTS_NAME_BYTES, 100 kB by default), against the built gateway at production
 * settings (test/soak/client-inputs.ts). Prints each input's live heap before and after; exits 1 when
 * one grew by 20 MB or more, an answer was a 5xx or no answer, or the Console calls passed one budget.
 */
import { readInt } from '../../src/common/env.js';
import { measureClientInputs } from './client-inputs.js';

const values = readInt(process.env, 'INPUTS_VALUES', 10_000, 1, 1_000_000);
const nameBytes = readInt(process.env, 'INPUTS_NAME_BYTES', 100_000, 16, 900_000);
const LIMIT_BYTES = 20 * 1_048_576;

const run = await measureClientInputs(values, nameBytes, (line) => console.log(line));
const grown = run.inputs.filter((i) => i.after - i.before >= LIMIT_BYTES);
const broken = run.inputs.filter((i) => i.broken > 0);
console.log(`Console calls: ${run.consoleCalls} in ${run.seconds.toFixed(0)} s; one budget allows ${run.budgetAllows}`);
for (const input of grown) console.log(`FAIL ${input.name}: live heap grew ${((input.after - input.before) / 1_048_576).toFixed(1)} MB`);
for (const input of broken) console.log(`FAIL ${input.name}: ${input.broken} answers were a 5xx or none`);
if (run.consoleCalls > run.budgetAllows) console.log('FAIL the Console calls passed one budget');
process.exitCode = grown.length > 0 || broken.length > 0 || run.consoleCalls > run.budgetAllows ? 1 : 0;
