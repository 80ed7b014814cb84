import { parseBearer, type BearerResult } from './auth/bearer.js';
import { ConsoleClient } from './console/console-client.js';
import { createLoaders, type Loaders } from './loaders/loaders.js';
import type { SharedServices } from './services.js';

/** Everything one GraphQL request owns. Built per request; resolvers never keep it. */
export interface GatewayContext {
  requestId: string;
  auth: BearerResult;
  console: ConsoleClient;
  loaders: Loaders;
  /** Set once the operation's own log line is written (the HTTP layer logs refusals otherwise). */
  operationLogged: boolean;
}

export interface ContextOptions {
  requestId: string;
  /** How long this operation's upstream work may take in all (OPERATION_TIMEOUT_MS). */
  operationTimeoutMs: number;
}

export function createContext(services: SharedServices, authorization: string | undefined, options: ContextOptions): GatewayContext {
  const auth = parseBearer(authorization);
  const token = auth.kind === 'token' ? auth.token : undefined;
  const client = new ConsoleClient(services, token, { requestId: options.requestId, deadline: Date.now() + options.operationTimeoutMs });
  return { requestId: options.requestId, auth, console: client, loaders: createLoaders(client, services, token !== undefined), operationLogged: false };
}
