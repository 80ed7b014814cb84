import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import type { LogLevel } from '../config.js';

export type Logger = PinoLogger;

/**
 * Structured JSON logs (pino) on stderr. Callers never pass a token, a password or an
 * Authorization header; the redaction below is the second line of defence should one slip in.
 */
export const REDACTED_PATHS = [
  'authorization',
  'token',
  'password',
  'headers.authorization',
  'req.headers.authorization',
  'variables.password',
  'variables.token',
  '*.authorization',
  '*.token',
  '*.password',
];

export function createLogger(level: LogLevel, destination: DestinationStream = pino.destination({ dest: 2, sync: true })): Logger {
  return pino(
    {
      level,
      base: { service: 'flecs-graph' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}
