import { InvalidCredentialsError } from '../common/errors.js';
import { callConsole, refusedTokenIsUnauthenticated, searchParamsOf, type ConsoleCall } from './console-call.js';
import type { ConsoleTransport } from './http-transport.js';
import type {
  RestAppList,
  RestLoginData,
  RestProductPage,
  RestSubscriptionList,
  RestValidateData,
} from './rest-types.js';
import { ConsoleRoute } from './routes.js';

export interface PageArgs {
  storeId?: number;
  page?: number;
}

/**
 * The Console, as seen by one GraphQL request: bound to that request's bearer token (or none).
 * Per request: one user's memo never serves another. Every GET (and validate, which reads only) is
 * memoised by method + path + query + token, so aliases and repeated fields never repeat a call.
 */
export class ConsoleClient {
  private readonly memo = new Map<string, Promise<unknown>>();
  /** Upstream calls this request actually made (memo hits excluded). */
  upstreamCalls = 0;

  constructor(
    private readonly transport: ConsoleTransport,
    private readonly token: string | undefined,
  ) {}

  login(username: string, password: string): Promise<RestLoginData> {
    return this.send<RestLoginData>(
      { route: ConsoleRoute.login, body: { username, password, issueJWT: true } },
      (status, upstream) => (status === 401 || status === 403 ? new InvalidCredentialsError(upstream) : undefined),
    );
  }

  validate(token: string): Promise<RestValidateData> {
    return this.memoised({ route: ConsoleRoute.validate, body: { jwt: { token } } }, token);
  }

  myProducts(args: PageArgs): Promise<RestProductPage> {
    return this.memoisedMine({ route: ConsoleRoute.myProducts, query: pageQuery(args) });
  }

  myApps(args: PageArgs): Promise<RestProductPage> {
    return this.memoisedMine({ route: ConsoleRoute.myApps, query: pageQuery(args) });
  }

  mySubscriptions(args: { storeId?: number }): Promise<RestSubscriptionList> {
    return this.memoisedMine({ route: ConsoleRoute.mySubscriptions, query: { store_id: args.storeId } });
  }

  /** Public: sent without the caller's token. */
  catalog(args: PageArgs): Promise<RestProductPage> {
    return this.memoised({ route: ConsoleRoute.catalog, query: pageQuery(args) }, '');
  }

  appCatalog(args: { storeId?: number }): Promise<RestAppList> {
    return this.memoised({ route: ConsoleRoute.appCatalog, query: { store_id: args.storeId } }, '');
  }

  private memoisedMine<T>(call: ConsoleCall): Promise<T> {
    // The resolvers refuse a missing token before they get here; an empty one is refused upstream.
    return this.memoised({ ...call, token: this.token ?? '' }, this.token ?? '', true);
  }

  private memoised<T>(call: ConsoleCall, tokenKey: string, mine = false): Promise<T> {
    const key = `${call.route.method} ${call.route.path}?${searchParamsOf(call.query).toString()} ${tokenKey} ${
      call.body === undefined ? '' : JSON.stringify(call.body)
    }`;
    let pending = this.memo.get(key) as Promise<T> | undefined;
    if (pending === undefined) {
      pending = this.send<T>(call, mine ? refusedTokenIsUnauthenticated : undefined);
      this.memo.set(key, pending);
    }
    return pending;
  }

  private send<T>(call: ConsoleCall, mapStatus?: Parameters<typeof callConsole>[2]): Promise<T> {
    this.upstreamCalls += 1;
    return callConsole<T>(this.transport, call, mapStatus);
  }
}

function pageQuery(args: PageArgs): Record<string, number | undefined> {
  return { store_id: args.storeId, page: args.page };
}
