import { describe, expect, it } from '@jest/globals';
import { WaitQueue } from '../../src/common/wait-queue.js';

/** The one wait queue behind admission and the Console's connections. */
describe('WaitQueue', () => {
  it('should hand turns over in arrival order', async () => {
    const queue = new WaitQueue();
    const order: string[] = [];
    const a = queue.wait(1000).then((o) => order.push(`a:${o}`));
    const b = queue.wait(1000).then((o) => order.push(`b:${o}`));
    expect(queue.length).toBe(2);
    expect(queue.handOver()).toBe(true);
    expect(queue.handOver()).toBe(true);
    expect(queue.handOver()).toBe(false);
    await Promise.all([a, b]);
    expect(order).toEqual(['a:turn', 'b:turn']);
  });

  it('should refuse at once when its bound of waiters is full, and take one again once a place is free', async () => {
    const queue = new WaitQueue(2);
    const first = queue.wait(1000);
    const second = queue.wait(1000);
    expect(await queue.wait(1000)).toBe('full');
    expect(queue.length).toBe(2);
    queue.handOver();
    expect(await first).toBe('turn');
    const third = queue.wait(1000);
    queue.handOver();
    queue.handOver();
    expect([await second, await third]).toEqual(['turn', 'turn']);
  });

  it('should time a waiter out, leaving the queue to the others', async () => {
    const queue = new WaitQueue();
    const short = queue.wait(20);
    const long = queue.wait(1000);
    expect(await short).toBe('timeout');
    expect(queue.length).toBe(1);
    expect(queue.handOver()).toBe(true);
    expect(await long).toBe('turn');
    expect(await queue.wait(0)).toBe('timeout');
  });

  it('should pass a turn over a waiter whose client left to the next one, and say when nobody took it', async () => {
    const queue = new WaitQueue();
    const gone = queue.wait(1000, () => true);
    const there = queue.wait(1000, () => false);
    expect(queue.handOver()).toBe(true);
    expect([await gone, await there]).toEqual(['left', 'turn']);
    const alsoGone = queue.wait(1000, () => true);
    expect(queue.handOver()).toBe(false);
    expect(await alsoGone).toBe('left');
  });

  it('should serve callers let in ahead before the others, in arrival order among themselves, also after one of them timed out', async () => {
    const queue = new WaitQueue();
    const order: string[] = [];
    const track = (name: string, p: Promise<string>) => p.then((outcome) => order.push(`${name}:${outcome}`));
    const waits = [
      track('op1', queue.wait(1000)),
      track('op2', queue.wait(1000)),
      track('verify1', queue.wait(1000, undefined, true)),
      track('verifyShort', queue.wait(10, undefined, true)),
      track('verify2', queue.wait(1000, undefined, true)),
    ];
    await new Promise((r) => setTimeout(r, 40)); // verifyShort gave up meanwhile
    waits.push(track('verify3', queue.wait(1000, undefined, true)));
    while (queue.handOver());
    await Promise.all(waits);
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual(['verifyShort:timeout', 'verify1:turn', 'verify2:turn', 'verify3:turn', 'op1:turn', 'op2:turn']);
  });
});
