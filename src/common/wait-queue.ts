/** How a wait ended: the caller's turn came, it waited too long, the queue was full, or its client left meanwhile. */
export type WaitOutcome = 'turn' | 'timeout' | 'full' | 'left';

interface Waiter {
  /** Hands this waiter the turn; false when its client left (the turn goes to the next one). */
  take(): boolean;
}

/**
 * Callers waiting for a turn in arrival order, each at most its own time, at most `maxWaiting` of
 * them: what waits for an operation slot (the edge's admission) and for a Console connection
 * (the Console's slots). The owner counts its slots; this only orders who gets the next one. It
 * holds callbacks, never a request's data.
 */
export class WaitQueue {
  private readonly waiters: Waiter[] = [];
  /** How many waiters at the head of `waiters` were let in ahead of the others (`ahead`). */
  private aheadCount = 0;

  constructor(private readonly maxWaiting = Number.POSITIVE_INFINITY) {}

  get length(): number {
    return this.waiters.length;
  }

  /**
   * Resolves 'turn' once `handOver` gives this caller a slot; 'timeout' after `maxWaitMs` (no slot
   * held); 'full' at once when `maxWaiting` callers already wait; 'left' when the turn came but
   * `abandoned()` said its client had gone (the slot went on to the next caller). `ahead`: this
   * caller waits in front of every caller that is not ahead too (in arrival order among those).
   */
  wait(maxWaitMs: number, abandoned: () => boolean = () => false, ahead = false): Promise<WaitOutcome> {
    if (this.waiters.length >= this.maxWaiting) return Promise.resolve('full');
    if (maxWaitMs <= 0) return Promise.resolve('timeout');
    return new Promise<WaitOutcome>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const waiter: Waiter = {
        take: () => {
          clearTimeout(timer);
          const left = abandoned();
          resolve(left ? 'left' : 'turn');
          return !left;
        },
      };
      if (ahead) {
        this.waiters.splice(this.aheadCount, 0, waiter);
        this.aheadCount += 1;
      } else this.waiters.push(waiter);
      if (Number.isFinite(maxWaitMs)) {
        timer = setTimeout(() => {
          const index = this.waiters.indexOf(waiter);
          if (index === -1) return; // handed the turn in the same tick
          this.waiters.splice(index, 1);
          if (index < this.aheadCount) this.aheadCount -= 1;
          resolve('timeout');
        }, maxWaitMs);
      }
    });
  }

  /** Gives a freed slot to the longest-waiting caller still there; false when nobody took it. */
  handOver(): boolean {
    for (let waiter = this.waiters.shift(); waiter !== undefined; waiter = this.waiters.shift()) {
      if (this.aheadCount > 0) this.aheadCount -= 1;
      if (waiter.take()) return true;
    }
    return false;
  }
}
