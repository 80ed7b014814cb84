/** Fault injection and request counters behind the simulator's admin interface. */
export const FAULT_MODES = ['html', 'truncated', 'reset', 'hang', 'empty', 'malformed'] as const;
export type FaultMode = (typeof FAULT_MODES)[number];

export interface Fault {
  latencyMs?: number;
  status?: number;
  mode?: FaultMode;
}

export class FaultBook {
  private readonly faults = new Map<string, Fault>();
  private readonly counts = new Map<string, number>();

  count(route: string): void {
    this.counts.set(route, (this.counts.get(route) ?? 0) + 1);
  }

  stats(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort(([a], [b]) => a.localeCompare(b)));
  }

  resetCounts(): void {
    this.counts.clear();
  }

  set(route: string, fault: Fault): void {
    this.faults.set(route, fault);
  }

  get(route: string): Fault | undefined {
    return this.faults.get(route);
  }

  list(): Record<string, Fault> {
    return Object.fromEntries(this.faults);
  }

  clear(): void {
    this.faults.clear();
  }
}

/** Validates a `POST /__admin/faults` body; returns the route and fault, or a message saying what is wrong. */
export function parseFaultRequest(body: unknown): { route: string; fault: Fault } | { error: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { error: 'body must be a JSON object' };
  const input = body as Record<string, unknown>;
  const allowed = new Set(['route', 'latencyMs', 'status', 'mode']);
  const unknown = Object.keys(input).filter((k) => !allowed.has(k));
  if (unknown.length > 0) return { error: `unknown field(s): ${unknown.join(', ')}` };
  const { route, latencyMs, status, mode } = input;
  if (typeof route !== 'string' || !/^(GET|POST|PUT|PATCH|DELETE) \/\S*$/.test(route)) {
    return { error: 'route must look like "GET /api/v2/my/products"' };
  }
  const fault: Fault = {};
  if (latencyMs !== undefined) {
    if (typeof latencyMs !== 'number' || !Number.isInteger(latencyMs) || latencyMs < 0 || latencyMs > 600_000) {
      return { error: 'latencyMs must be a whole number from 0 to 600000' };
    }
    fault.latencyMs = latencyMs;
  }
  if (status !== undefined) {
    if (typeof status !== 'number' || !Number.isInteger(status) || status < 200 || status > 599) {
      return { error: 'status must be a whole number from 200 to 599' };
    }
    fault.status = status;
  }
  if (mode !== undefined) {
    if (typeof mode !== 'string' || !(FAULT_MODES as readonly string[]).includes(mode)) {
      return { error: `mode must be one of ${FAULT_MODES.join(', ')}` };
    }
    fault.mode = mode as FaultMode;
  }
  return { route, fault };
}
