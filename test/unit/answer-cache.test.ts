import { describe, expect, it } from '@jest/globals';
import { AnswerCache } from '../../src/cache/answer-cache.js';

/** The answer cache's lifetimes on a clock moved by hand: fresh, stale with one rebuild, gone. */
describe('AnswerCache', () => {
  function cache(staleMs = 500) {
    let now = 1_000_000;
    const answers = new AnswerCache(1_048_576, staleMs, () => now);
    return { answers, advance: (ms: number) => (now += ms), now: () => now };
  }

  it('should serve a fresh answer until its data stops being fresh, then stale to all but one rebuilder, then nothing', () => {
    const { answers, advance, now } = cache();
    expect(answers.lookup('k')).toBeUndefined(); // nothing yet: the caller builds it
    answers.store('k', '{"data":1}', now() + 1000);
    expect(answers.lookup('k')).toMatchObject({ fresh: true, answer: { body: '{"data":1}' } });
    advance(1000);
    // Stale: the first caller rebuilds (undefined), the others get the stale answer meanwhile.
    expect(answers.lookup('k')).toBeUndefined();
    expect(answers.lookup('k')).toMatchObject({ fresh: false });
    expect(answers.lookup('k')).toMatchObject({ fresh: false });
    answers.store('k', '{"data":2}', now() + 1000);
    expect(answers.lookup('k')).toMatchObject({ fresh: true, answer: { body: '{"data":2}' } });
    // Past its stale window nothing is served.
    advance(1500);
    expect(answers.lookup('k')).toBeUndefined();
  });

  it('should let the next request rebuild when a rebuild was abandoned, and keep nothing whose data is already stale', () => {
    const { answers, advance, now } = cache();
    answers.store('k', 'a', now() + 100);
    advance(100);
    expect(answers.lookup('k')).toBeUndefined(); // this caller rebuilds…
    answers.abandon('k'); // …and fails
    expect(answers.lookup('k')).toBeUndefined(); // so the next one rebuilds
    answers.store('k', 'b', now() - 1); // built from stale data: not kept, the old answer stays
    expect(answers.lookup('k')).toBeUndefined(); // the next one rebuilds again…
    expect(answers.lookup('k')).toMatchObject({ fresh: false, answer: { body: 'a' } }); // …and the rest get the stale answer
  });

  it('should keep nothing with a budget of 0, and count what it holds', () => {
    const off = new AnswerCache(0, 500);
    off.store('k', 'a', Date.now() + 1000);
    expect(off.lookup('k')).toBeUndefined();
    const { answers, now } = cache();
    answers.store('k', 'x'.repeat(1000), now() + 1000);
    expect(answers.stats().entries).toBe(1);
    expect(answers.stats().bytes).toBeGreaterThanOrEqual(3000);
  });
});
