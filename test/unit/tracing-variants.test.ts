import { describe, expect, it } from '@jest/globals';
import { parseTracingVariants, TRACING_VARIANTS } from '../bench/tracing-cost.js';

/** The bench's `--tracing-variants` (BENCH_TRACING_VARIANTS): what each input gets. */
describe('parseTracingVariants', () => {
  it('reads variants with their env and Node flags, the first the baseline, env defaulting to none', () => {
    const variants = parseTracingVariants(
      JSON.stringify([
        { label: 'off', traced: false },
        { label: '1 %', env: { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.01' }, traced: true },
        { label: '10 % semi 64', env: { OTEL_TRACES_SAMPLER_ARG: '0.1' }, traced: true, nodeArgs: ['--max-semi-space-size=64'] },
      ]),
    );
    expect(variants).toEqual([
      { label: 'off', env: {}, traced: false },
      { label: '1 %', env: { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.01' }, traced: true },
      { label: '10 % semi 64', env: { OTEL_TRACES_SAMPLER_ARG: '0.1' }, traced: true, nodeArgs: ['--max-semi-space-size=64'] },
    ]);
  });

  it('accepts the default list written out', () => {
    expect(parseTracingVariants(JSON.stringify(TRACING_VARIANTS))).toEqual(TRACING_VARIANTS);
  });

  it.each([
    ['text that is not JSON', '[{label:', /not JSON/],
    ['an object instead of a list', '{"label":"off","traced":false}', /the list/],
    ['one variant (nothing to compare with)', '[{"label":"off","traced":false}]', /the list: .*2/],
    ['seven variants', JSON.stringify(Array.from({ length: 7 }, (_, i) => ({ label: `v${i}`, traced: false }))), /the list: .*6/],
    ['a variant without `traced`', '[{"label":"off","traced":false},{"label":"on"}]', /1\.traced/],
    ['an empty label', '[{"label":" ","traced":false},{"label":"on","traced":true}]', /0\.label/],
    [
      'an env value that is not a string',
      '[{"label":"off","traced":false},{"label":"on","traced":true,"env":{"OTEL_TRACES_SAMPLER_ARG":0.1}}]',
      /1\.env\.OTEL_TRACES_SAMPLER_ARG/,
    ],
    ['a field nobody reads (a typo)', '[{"label":"off","traced":false},{"label":"on","traced":true,"nodeArg":["--x"]}]', /1: .*nodeArg/],
    ['a label used twice', '[{"label":"off","traced":false},{"label":"off","traced":true}]', /"off" is used twice/],
  ])('refuses %s with a message that names it', (_what, json, message) => {
    expect(() => parseTracingVariants(json)).toThrow(message);
  });
});
