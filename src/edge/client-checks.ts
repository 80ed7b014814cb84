import type { IncomingMessage } from 'node:http';
import { parseBearer } from '../auth/bearer.js';
import { ErrorCode } from '../common/errors.js';
import type { GraphQLHttpRequest } from '../http/graphql-request.js';
import { refusal, type Refusal } from './refusal.js';
import type { Tracing } from '../observability/tracing.js';
import { clientAddress } from './client-address.js';
import type { EdgeClient, EdgeLimits } from './edge-limits.js';
import { RateLimitedError } from './rate-limited-error.js';

export interface ClientChecks {
  edge: EdgeLimits;
  /** TRUST_PROXY_HOPS. */
  trustProxyHops: number;
  tracing?: Tracing | undefined;
}

/**
 * The caller: who it is (the user its token belongs to, or its network; docs/security.md), worked
 * out once for the budgets here and in the operation's context, and whether its operation budget
 * allows one more.
 */
export async function checkClient(req: IncomingMessage, request: GraphQLHttpRequest, requestId: string, checks: ClientChecks): Promise<EdgeClient | Refusal> {
  const bearer = parseBearer(req.headers.authorization);
  const client = await checks.edge.identify(bearer.kind === 'token' ? bearer.token : undefined, clientAddress(req, checks.trustProxyHops), requestId);
  if (!request.carriesOperation) return client;
  try {
    await checks.edge.chargeOperation(client, requestId);
  } catch (error) {
    if (!(error instanceof RateLimitedError)) throw error;
    checks.tracing?.api.trace.getActiveSpan()?.addEvent('rate limited', { 'flecs_graph.refusal': error.kind });
    return refusal(429, ErrorCode.RateLimited, error.message, {
      extensions: { retryAfter: error.retryAfterSeconds },
      headers: { 'retry-after': String(error.retryAfterSeconds) },
      logged: true,
    });
  }
  return client;
}
