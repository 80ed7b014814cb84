import { parseBearer, type BearerResult } from './auth/bearer.js';
import { ConsoleClient } from './console/console-client.js';
import type { ConsoleTransport } from './console/http-transport.js';
import { createLoaders, type Loaders } from './loaders/loaders.js';

/** Everything one GraphQL request owns. Built per request; resolvers never keep it. */
export interface GatewayContext {
  requestId: string;
  auth: BearerResult;
  console: ConsoleClient;
  loaders: Loaders;
}

export function createContext(transport: ConsoleTransport, authorization: string | undefined, requestId: string): GatewayContext {
  const auth = parseBearer(authorization);
  const client = new ConsoleClient(transport, auth.kind === 'token' ? auth.token : undefined);
  return { requestId, auth, console: client, loaders: createLoaders(client) };
}
