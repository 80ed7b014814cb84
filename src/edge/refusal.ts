/**
 * A request the gateway answers itself without running it: every stage that refuses (transport,
 * document, client, admission) returns one of these, and only the HTTP layer writes it
 * (`refuse` in src/http/refusal.ts). Every refusal is listed in one table in docs/security.md
 * (status, code, the variable that controls it).
 */
export interface Refusal {
  readonly refused: true;
  status: number;
  code: string;
  message: string;
  /** Beside `code` in the error's `extensions` (a limit and what was found, `retryAfter`). */
  extensions?: Record<string, unknown>;
  headers?: Record<string, string>;
  /** The stage that refused wrote its own log line already (the edge's limits do). */
  logged?: boolean;
  /** `warn` for what an operator should see (overload); `info` otherwise. */
  level?: 'info' | 'warn';
}

export function refusal(status: number, code: string, message: string, more: Omit<Refusal, 'refused' | 'status' | 'code' | 'message'> = {}): Refusal {
  return { refused: true, status, code, message, ...more };
}

export function isRefusal(value: unknown): value is Refusal {
  return typeof value === 'object' && value !== null && (value as { refused?: unknown }).refused === true;
}
