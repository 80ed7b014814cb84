import CircuitBreaker from 'opossum';

export type CircuitState = 'closed' | 'half-open' | 'open';

export interface BreakerOptions {
  /** Consecutive failures of a route that open its circuit. */
  failureThreshold: number;
  /** How long an open circuit fails fast before one probe is let through. */
  resetMs: number;
  onStateChange?: (route: string, state: CircuitState) => void;
  /** opossum's rolling statistics window (its default, 10 s, unless a test shortens it). */
  rollingWindowMs?: number;
}

/** The error a call gets while its route's circuit is open (opossum's code). */
export function isOpenCircuitError(error: unknown): boolean {
  return error instanceof Error && (error as Error & { code?: string }).code === 'EOPENBREAKER';
}

type Attempt = () => Promise<unknown>;

/**
 * One opossum circuit breaker per Console route, shared by all requests (the Console's health is
 * not per user). opossum opens on an error percentage over a rolling window; we want "N
 * consecutive failures", so its own threshold is set out of reach and we open it ourselves. Its
 * half-open logic (one probe after resetMs, close on success, re-open on failure) is used as is.
 */
export class RouteBreakers {
  private readonly breakers = new Map<string, CircuitBreaker<[Attempt], unknown>>();

  constructor(private readonly options: BreakerOptions) {}

  /** Runs one attempt through the route's breaker; `isFailure` says which errors count against the route. */
  run<T>(route: string, attempt: () => Promise<T>, isFailure: (error: unknown) => boolean): Promise<T> {
    return this.breaker(route, isFailure).fire(attempt) as Promise<T>;
  }

  shutdown(): void {
    for (const breaker of this.breakers.values()) breaker.shutdown();
    this.breakers.clear();
  }

  private breaker(route: string, isFailure: (error: unknown) => boolean): CircuitBreaker<[Attempt], unknown> {
    let breaker = this.breakers.get(route);
    if (breaker) return breaker;
    breaker = new CircuitBreaker((attempt: Attempt) => attempt(), {
      timeout: false, // the Console client owns timeouts and deadlines
      resetTimeout: this.options.resetMs,
      // Never opens by itself (see the class comment). The percentage alone is not enough: a call
      // that fails after the rolling window has dropped its start counts as a failure without a
      // fire, so failures/fires passes 100 % on one slow failure. No volume is ever "enough".
      errorThresholdPercentage: 101,
      volumeThreshold: Number.MAX_SAFE_INTEGER,
      ...(this.options.rollingWindowMs ? { rollingCountTimeout: this.options.rollingWindowMs } : {}),
      errorFilter: (error: unknown) => !isFailure(error),
      name: route,
    });
    let consecutive = 0;
    const created = breaker;
    created.on('success', () => {
      consecutive = 0;
    });
    created.on('failure', () => {
      consecutive += 1;
      if (consecutive >= this.options.failureThreshold && created.closed) created.open();
    });
    created.on('open', () => this.options.onStateChange?.(route, 'open'));
    created.on('halfOpen', () => this.options.onStateChange?.(route, 'half-open'));
    created.on('close', () => {
      consecutive = 0;
      this.options.onStateChange?.(route, 'closed');
    });
    this.breakers.set(route, created);
    return created;
  }
}
