import { WaitQueue } from '../common/wait-queue.js';

/** Calls counted per reserving operation: the routes a dashboard asks for at once (products, apps, subscriptions). */
export const RESERVED_CALLS_MAX = 3;

/** Weight of the newest Console call in the running average of call durations. */
const LATENCY_WEIGHT = 0.1;

/**
 * The gateway's connections to the Console (CONSOLE_MAX_CONNECTIONS) as slots: a call takes one
 * before it is sent and gives it back when its answer is read, so undici's pool never queues a
 * call behind busy connections. Calls beyond the capacity wait here in arrival order, each at most
 * CONSOLE_QUEUE_TIMEOUT_MS: that wait is the gateway's own queue, so it never counts against
 * UPSTREAM_TIMEOUT_MS (which measures the Console) and never against a route's circuit.
 * Shared by every request: it holds counts and waiting callbacks, never a token or an answer.
 */
/**
 * Connections an admitted operation may still ask for: counted in the estimate from its admission
 * until each of its calls asks for a connection (or the operation ends), so that operations
 * admitted in the same instant do not each see the Console's connections as free.
 */
export interface ConsoleReservation {
  remaining: number;
}

export class ConsoleSlots {
  private active = 0;
  private readonly waiting = new WaitQueue();
  private averageMs = 0;
  /** Calls promised to admitted operations that have not asked for their connection yet. */
  private reserved = 0;

  constructor(
    readonly capacity: number,
    readonly maxWaitMs: number,
  ) {}

  /** Calls waiting for a connection right now. */
  get queued(): number {
    return this.waiting.length;
  }

  get inUse(): number {
    return this.active;
  }

  /** Running average of how long the Console takes per call (0 before the first answer). */
  get averageCallMs(): number {
    return this.averageMs;
  }

  /**
   * How long a call started now would wait for a connection: the calls ahead of it, served
   * `capacity` at a time at the Console's average pace. 0 while connections are free.
   */
  estimatedWaitMs(extraCalls = 0): number {
    const ahead = this.waiting.length + this.reserved + extraCalls - (this.capacity - this.active);
    return ahead <= 0 ? 0 : (ahead / this.capacity) * Math.max(this.averageMs, 1);
  }

  /**
   * Counts the calls an operation just admitted (or queued for admission) will make at once: its
   * declared cost, at most RESERVED_CALLS_MAX. The cost is a worst case (every page of every search)
   * that a warm operation rarely makes; counted whole, forty dashboards at once looked like a
   * Console queue of seconds and were refused for nothing.
   */
  reserve(calls: number): ConsoleReservation {
    const reservation = { remaining: Math.max(0, Math.min(RESERVED_CALLS_MAX, Math.floor(calls))) };
    this.reserved += reservation.remaining;
    return reservation;
  }

  /** One call of a reserving operation asks for its connection now: from here it is waiting or active. */
  claim(reservation: ConsoleReservation | undefined): void {
    if (reservation === undefined || reservation.remaining <= 0) return;
    reservation.remaining -= 1;
    this.reserved -= 1;
  }

  /** The operation ended: what it did not claim is free again. */
  unreserve(reservation: ConsoleReservation | undefined): void {
    if (reservation === undefined) return;
    this.reserved -= reservation.remaining;
    reservation.remaining = 0;
  }

  /**
   * Resolves true once a connection is this caller's, false when `maxWaitMs` (or `limitMs`) passed
   * first. `firstInLine`: the caller waits ahead of every other call (see CallScope.firstInLine).
   */
  acquire(limitMs = this.maxWaitMs, firstInLine = false): Promise<boolean> {
    if (this.active < this.capacity) {
      this.active += 1;
      return Promise.resolve(true);
    }
    return this.waiting.wait(Math.min(limitMs, this.maxWaitMs), undefined, firstInLine).then((outcome) => outcome === 'turn');
  }

  /** Gives a connection back; `durationMs` is how long the Console took, when a call was sent. */
  release(durationMs?: number): void {
    if (durationMs !== undefined) this.averageMs = this.averageMs === 0 ? durationMs : this.averageMs + LATENCY_WEIGHT * (durationMs - this.averageMs);
    // The connection passes straight to the next caller, if one waits.
    if (!this.waiting.handOver()) this.active -= 1;
  }
}
