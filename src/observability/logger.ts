import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import { stderrDestination } from './log-destination.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type Logger = PinoLogger;

/**
 * Structured JSON logs (pino) on stderr. Callers never pass a token, a password or an
 * Authorization header; the redaction below is the second line of defence should one slip in.
 */
const SECRET_KEYS = new Set(['authorization', 'token', 'password', 'cookie', 'set-cookie']);
const CENSOR = '[redacted]';

/**
 * Censors secret-named keys at the top level and one or two levels down (`headers.authorization`,
 * `variables.password`, `user.token`). A copy is made only when something is censored: pino's
 * generic path redaction allocated on every line (~3 % of all allocation per operation).
 */
export function redactSecrets(fields: Record<string, unknown>, depth = 0): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const key in fields) {
    const value = fields[key];
    let replacement: unknown = value;
    if (SECRET_KEYS.has(key.toLowerCase())) replacement = CENSOR;
    else if (depth < 2 && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      replacement = redactSecrets(value as Record<string, unknown>, depth + 1);
    }
    if (replacement !== value) {
      copy ??= { ...fields };
      copy[key] = replacement;
    }
  }
  return copy ?? fields;
}

/**
 * pino's `isoTime`, formatted once per millisecond: at thousands of lines a second most lines share
 * their millisecond, and formatting the date was about a sixth of formatting a line.
 */
function isoTimePerMillisecond(): () => string {
  let at = -1;
  let text = '';
  return () => {
    const now = Date.now();
    if (now !== at) {
      at = now;
      text = `,"time":"${new Date(now).toISOString()}"`;
    }
    return text;
  };
}

/**
 * `traceFields` (tracing on): the active span's `trace_id` and `span_id`, added to every line
 * written inside a traced request so that logs and traces join.
 */
export function createLogger(level: LogLevel, destination: DestinationStream = stderrDestination(), traceFields?: () => Record<string, string>): Logger {
  return pino(
    {
      level,
      ...(traceFields ? { mixin: traceFields } : {}),
      base: { service: 'flecs-graph' },
      timestamp: isoTimePerMillisecond(),
      formatters: { level: (label) => ({ level: label }), log: (fields) => redactSecrets(fields) },
    },
    destination,
  );
}
