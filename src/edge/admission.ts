import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { WaitQueue } from '../common/wait-queue.js';
import { ErrorCode } from '../common/errors.js';
import { refusal, type Refusal } from './refusal.js';

/** `OPERATION_CONCURRENCY`: adapt to the load, a fixed number of operations at once, or no limit. */
export type ConcurrencySetting = { mode: 'auto' } | { mode: 'fixed'; limit: number } | { mode: 'unlimited' };

/** What `run` resolves with when it did not run the work: why. */
export class NotRun {
  constructor(
    readonly reason: 'client_left' | 'waited_too_long' | 'queue_full' | 'console_busy',
    /** `console_busy`: how long its Console calls would have waited for a connection. */
    readonly consoleWaitMs = 0,
  ) {}
}

/** Bounds and pace of the automatic limit. */
export const AUTO_MIN = 16;
export const AUTO_MAX = 1024;
export const AUTO_START = 32;
const AUTO_INTERVAL_MS = 100;
/** The event loop busier than this: more operations at once only add memory, so the limit shrinks. */
const BUSY = 0.97;
/** Operations waited while the loop was idler than this: the limit was too tight, so it grows. */
const IDLE = 0.9;

/**
 * How many GraphQL operations run at once; the rest wait, in arrival order, before Apollo starts
 * them (health, readiness and metrics never wait). When the CPU is the bottleneck, admitting
 * every request at once only makes each one live longer: at 50 connections a dashboard lived
 * ~100 ms, its Console answers outlived two young-generation collections and were promoted,
 * and garbage collection became the largest cost. In `auto` mode the limit follows the event
 * loop: it shrinks while the loop is saturated and grows while operations wait and the loop is
 * idle, so a slow Console (operations mostly waiting on I/O) still gets all the concurrency it needs.
 */
export class AdmissionGate {
  private active = 0;
  /** Operations waiting for a slot, in arrival order. */
  private readonly waiting: WaitQueue;
  private currentLimit: number;
  private waitedThisWindow = false;
  private lastElu: EventLoopUtilization | undefined;
  private readonly timer: NodeJS.Timeout | undefined;

  /**
   * `maxWaitMs`: an operation that waited this long for a slot is not run (OPERATION_QUEUE_TIMEOUT_MS).
   * `maxQueued`: with this many already waiting, another is refused at once (OPERATION_QUEUE_MAX):
   * each waiting request holds its parsed body, so an unbounded queue is unbounded memory.
   */
  constructor(
    setting: ConcurrencySetting,
    private readonly maxWaitMs = Number.POSITIVE_INFINITY,
    maxQueued = Number.POSITIVE_INFINITY,
  ) {
    this.waiting = new WaitQueue(maxQueued);
    this.currentLimit = setting.mode === 'fixed' ? setting.limit : setting.mode === 'auto' ? AUTO_START : Number.POSITIVE_INFINITY;
    if (setting.mode === 'auto') {
      this.lastElu = performance.eventLoopUtilization();
      this.timer = setInterval(() => this.adapt(), AUTO_INTERVAL_MS);
      this.timer.unref();
    }
  }

  get limit(): number {
    return this.currentLimit;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** True when an operation arriving now would wait for a slot. */
  get full(): boolean {
    return this.active >= this.currentLimit;
  }

  /**
   * Runs `work` once a slot is free; the slot is given back however `work` ends. It is not run, and
   * `run` resolves with NotRun instead, when its client went away while it waited (`abandoned()` says
   * so when its turn comes: under overload, clients that time out and retry would otherwise have the
   * gateway do every piece of work twice, once for nobody), or when it waited `maxWaitMs` (a queue
   * that only grows answers nobody in time; a quick refusal lets the client retry elsewhere).
   */
  async run<T>(work: () => Promise<T>, abandoned: () => boolean = () => false): Promise<T | NotRun> {
    if (this.active < this.currentLimit) this.active += 1;
    else {
      this.waitedThisWindow = true;
      const outcome = await this.waiting.wait(this.maxWaitMs, abandoned);
      if (outcome === 'full') return new NotRun('queue_full');
      if (outcome === 'timeout') return new NotRun('waited_too_long');
      if (outcome === 'left') return new NotRun('client_left');
    }
    try {
      return await work();
    } finally {
      this.release();
    }
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** One step of the automatic limit, from the event loop's utilisation since the last step. */
  adapt(utilization?: number): void {
    const now = performance.eventLoopUtilization();
    const elu = utilization ?? performance.eventLoopUtilization(now, this.lastElu).utilization;
    this.lastElu = now;
    if (elu > BUSY) this.currentLimit = Math.max(AUTO_MIN, Math.floor(this.currentLimit * 0.95));
    else if (this.waitedThisWindow && elu < IDLE) this.currentLimit = Math.min(AUTO_MAX, Math.ceil(this.currentLimit * 1.25) + 1);
    // A larger limit admits waiting operations at once rather than one per finished operation.
    while (this.active < this.currentLimit && this.waiting.length > 0) {
      this.active += 1;
      if (!this.waiting.handOver()) this.active -= 1;
    }
    this.waitedThisWindow = this.waiting.length > 0;
  }

  private release(): void {
    // Over the limit (it shrank): the slot is not handed on.
    if (this.active <= this.currentLimit && this.waiting.handOver()) return;
    this.active -= 1;
  }
}

/**
 * What the client is told when its operation was not run: 503 OVERLOADED with `Retry-After: 1`;
 * undefined when nobody is left to tell (its client left while it waited).
 */
export function notRunRefusal(notRun: NotRun, queueTimeoutMs: number): Refusal | undefined {
  if (notRun.reason === 'client_left') return undefined;
  if (notRun.reason === 'console_busy') {
    const retryAfter = Math.max(1, Math.ceil(notRun.consoleWaitMs / 1000));
    return refusal(
      503,
      ErrorCode.Overloaded,
      `The gateway is overloaded: the Console is answering slowly and its calls would wait about ${Math.round(notRun.consoleWaitMs)} ms for a connection. This operation was not run; retry in ${retryAfter} s.`,
      { headers: { 'retry-after': String(retryAfter) }, extensions: { retryAfter }, level: 'warn' },
    );
  }
  const message =
    notRun.reason === 'queue_full'
      ? 'The gateway is overloaded: too many operations are already waiting for their turn. This one was not run; retry shortly.'
      : `The gateway is overloaded: this operation waited ${queueTimeoutMs} ms for its turn and was not run. Retry shortly.`;
  return refusal(503, ErrorCode.Overloaded, message, { headers: { 'retry-after': '1' }, level: 'warn' });
}
