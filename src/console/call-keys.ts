import { queryStringOf, type ConsoleCall } from './console-call.js';
import { EnvelopeSchema } from './envelope-schemas.js';
import { ConsoleRoute } from './routes.js';

// What names a Console call: the request memo's keys, the public cache's keys, and the query of a
// page of a list (src/console/console-client.ts).

/** Which page of a list, of which store (the Console's default when omitted). */
export interface PageArgs {
  storeId?: number;
  page?: number;
}

/** POST /api/v2/auth/validate for a token. */
export function validateCall(token: string): ConsoleCall {
  return { route: ConsoleRoute.validate, body: { jwt: { token } }, schema: EnvelopeSchema.validate };
}

/** The request memo's key: route, query, the token's key and the body. */
export function memoKey(call: ConsoleCall, tokenKey: string): string {
  return `${call.route.method} ${call.route.path}?${queryStringOf(call.query)} ${tokenKey} ${call.body === undefined ? '' : JSON.stringify(call.body)}`;
}

/** Public answers only: route and query, nothing else (no token, no body). */
export function publicKey(call: Pick<ConsoleCall, 'route' | 'query'>): string {
  return `${call.route.method} /${call.route.path}?${queryStringOf(call.query)}`;
}

/** A page's query parameters as the Console names them. */
export function pageQuery(args: PageArgs): Record<string, number | undefined> {
  return { store_id: args.storeId, page: args.page };
}
