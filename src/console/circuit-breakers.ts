export type CircuitState = 'closed' | 'half-open' | 'open';

export interface BreakerOptions {
  /** Consecutive failures of a route that open its circuit. */
  failureThreshold: number;
  /** How long an open circuit fails fast before one probe is let through. */
  resetMs: number;
  onStateChange?: (route: string, state: CircuitState) => void;
}

const OPEN_CODE = 'EOPENBREAKER';

/** The error a call gets while its route's circuit is open (or its one probe is on its way). */
export function isOpenCircuitError(error: unknown): boolean {
  return error instanceof Error && (error as Error & { code?: string }).code === OPEN_CODE;
}

interface Circuit {
  state: CircuitState;
  consecutiveFailures: number;
  openedAt: number;
  probing: boolean;
}

/**
 * One circuit per Console route, shared by all requests (the Console's health is not per user):
 * `failureThreshold` consecutive failures open it; after `resetMs` one probe goes through, whose
 * success closes it and whose failure opens it again. Every outcome is one of three: a success, a
 * failure that says the Console is unwell (`isFailure`), or neither — a call abandoned at the
 * operation's deadline, an answer too large for the caller's own list, a 4xx. Those leave the count
 * and the state as they were: counted as successes, a deadline would reset the count and close a
 * half-open circuit although the Console never answered.
 */
export class RouteBreakers {
  private readonly circuits = new Map<string, Circuit>();

  constructor(
    private readonly options: BreakerOptions,
    private readonly now: () => number = Date.now,
  ) {}

  async run<T>(route: string, attempt: () => Promise<T>, isFailure: (error: unknown) => boolean): Promise<T> {
    const circuit = this.circuitOf(route);
    const probe = this.admit(route, circuit);
    let value: T;
    try {
      value = await attempt();
    } catch (error) {
      if (probe) circuit.probing = false;
      if (isFailure(error)) this.failed(route, circuit);
      throw error;
    }
    if (probe) circuit.probing = false;
    circuit.consecutiveFailures = 0;
    if (circuit.state !== 'closed') this.change(route, circuit, 'closed');
    return value;
  }

  /** The route's state, for tests and metrics. */
  stateOf(route: string): CircuitState {
    return this.circuits.get(route)?.state ?? 'closed';
  }

  shutdown(): void {
    this.circuits.clear();
  }

  private circuitOf(route: string): Circuit {
    let circuit = this.circuits.get(route);
    if (!circuit) {
      circuit = { state: 'closed', consecutiveFailures: 0, openedAt: 0, probing: false };
      this.circuits.set(route, circuit);
    }
    return circuit;
  }

  /** Throws while the circuit fails fast; returns true when this call is the half-open probe. */
  private admit(route: string, circuit: Circuit): boolean {
    if (circuit.state === 'open' && this.now() - circuit.openedAt >= this.options.resetMs) this.change(route, circuit, 'half-open');
    if (circuit.state === 'closed') return false;
    if (circuit.state === 'half-open' && !circuit.probing) {
      circuit.probing = true;
      return true;
    }
    throw Object.assign(new Error(`circuit of ${route} is open`), { code: OPEN_CODE });
  }

  private failed(route: string, circuit: Circuit): void {
    circuit.consecutiveFailures += 1;
    if (circuit.state === 'half-open' || circuit.consecutiveFailures >= this.options.failureThreshold) {
      circuit.openedAt = this.now();
      if (circuit.state !== 'open') this.change(route, circuit, 'open');
    }
  }

  private change(route: string, circuit: Circuit, state: CircuitState): void {
    circuit.state = state;
    this.options.onStateChange?.(route, state);
  }
}
