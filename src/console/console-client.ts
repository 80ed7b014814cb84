import { BadUserInputError, InvalidCredentialsError, UnauthenticatedError } from '../common/errors.js';
import { callConsole, clientLeftError, type CallScope, type ConsoleCall } from './console-call.js';
import { EnvelopeSchema } from './envelope-schemas.js';
import { refusedTokenIsUnauthenticated, type StatusMapper } from './status-mapping.js';
import type { KnownStores } from '../loaders/known-stores.js';
import type { PublicCache } from '../cache/public-cache.js';
import type { ConsoleTransport } from './http-transport.js';
import type { ConsoleReservation } from './console-slots.js';
import type { RestAppList, RestLoginData, RestProductPage, RestReviewData, RestReviewRequest, RestSubscriptionList, RestValidateData } from './rest-types.js';
import { ConsoleRoute, routeName } from './routes.js';
import { untilDeadline } from './until-deadline.js';
import { memoKey, pageQuery, publicKey, validateCall, type PageArgs } from './call-keys.js';

export type { PageArgs } from './call-keys.js';

/**
 * A 400 on a list route refuses what the caller chose (store_id, page): the caller's error, not
 * the Console's.
 */
const refusedArguments: StatusMapper = (status) =>
  status === 400 ? new BadUserInputError('The Console did not accept this storeId or page.', 'storeId/page') : undefined;

const invalidCredentials: StatusMapper = (status, upstream) => (status === 401 || status === 403 ? new InvalidCredentialsError(upstream) : undefined);

/** What a request's Console client uses of the shared services (src/services.ts). */
export interface ConsoleClientServices {
  transport: ConsoleTransport;
  publicCache: PublicCache;
  knownStores?: Pick<KnownStores, 'add'>;
}

/**
 * The Console, as seen by one GraphQL request: bound to that request's bearer token (or none) and
 * deadline. Per request: one user's memo never serves another. Every GET (and validate, which only
 * reads) is memoised by method + path + query + token, so aliases and repeated fields never repeat
 * a call. Auth is a session: once the Console refuses the token, no further `/my/` call is made.
 */
export class ConsoleClient {
  private readonly memo = new Map<string, Promise<unknown>>();
  /** Why no further `/my/` call is made with the token, once the Console refused it. */
  private tokenRefused: string | undefined;
  private tokenAccepted = false;
  /** Upstream calls this request started (memo hits excluded, retries included in the log only). */
  upstreamCalls = 0;
  /** Console calls the operation was charged to its caller's budget before it ran (its worst case). */
  budgetCharged = 0;
  upstreamFailures = 0;

  private readonly transport: ConsoleTransport;
  private queuedReservation: ConsoleReservation | undefined;
  /**
   * Until when every public Console answer this request read stays fresh (epoch ms): how long a
   * whole public answer built from them may be kept (src/cache/answer-cache.ts). Infinity: none read.
   */
  publicFreshUntil = Number.POSITIVE_INFINITY;
  private readonly sawPublic = (epochMs: number): void => {
    if (epochMs < this.publicFreshUntil) this.publicFreshUntil = epochMs;
  };

  constructor(
    private readonly services: ConsoleClientServices,
    private readonly token: string | undefined,
    private readonly scope: CallScope,
  ) {
    this.transport = services.transport;
  }

  /** The Console just said the token is not valid (its verification at the edge): `/my/` routes answer UNAUTHENTICATED without a call. */
  tokenInvalid(): void {
    this.tokenRefused = 'The Console does not accept this bearer token (invalid or expired): log in again.';
  }

  /** Drops what this request read (its answers are served; see `releaseContext`). */
  release(): void {
    this.memo.clear();
    this.endReservation();
  }

  /** The operation ended: the Console calls it reserved and did not make are free again. */
  endReservation(): void {
    this.transport.slots.unreserve(this.scope.reservation);
    this.transport.slots.unreserve(this.queuedReservation);
  }

  /** The operation waited for its admission slot with these calls counted (src/graphql/execution.ts). */
  waitedHolding(reservation: ConsoleReservation): void {
    this.queuedReservation = reservation;
  }

  /** The reservation the operation waited with, handed over once to its admission (operation-limits.ts). */
  heldFromQueue(): ConsoleReservation | undefined {
    const reservation = this.queuedReservation;
    this.queuedReservation = undefined;
    return reservation;
  }

  /** The admission counted these calls for this operation: its calls claim them one by one. */
  reserved(reservation: ConsoleReservation): void {
    this.scope.reservation = reservation;
  }

  login(username: string, password: string): Promise<RestLoginData> {
    const call = { route: ConsoleRoute.login, body: { username, password, issueJWT: true }, schema: EnvelopeSchema.login };
    return this.send<RestLoginData>(call, invalidCredentials);
  }

  validate(token: string): Promise<RestValidateData> {
    return this.memoised(validateCall(token), token);
  }

  /** What the Console answered when this very request verified its own token: its `validate` of that token is answered from it. */
  verifiedAs(token: string, answer: RestValidateData): void {
    // The verification was this request's own Console call: the operation's log line counts it.
    this.upstreamCalls += 1;
    this.memo.set(memoKey(validateCall(token), token), Promise.resolve(answer));
  }

  myProducts(args: PageArgs): Promise<RestProductPage> {
    return this.mine({ route: ConsoleRoute.myProducts, query: pageQuery(args), schema: EnvelopeSchema.productPage });
  }

  myApps(args: PageArgs): Promise<RestProductPage> {
    return this.mine({ route: ConsoleRoute.myApps, query: pageQuery(args), schema: EnvelopeSchema.productPage });
  }

  mySubscriptions(args: { storeId?: number }): Promise<RestSubscriptionList> {
    return this.mine({ route: ConsoleRoute.mySubscriptions, query: { store_id: args.storeId }, schema: EnvelopeSchema.subscriptions });
  }

  /**
   * Posts a review with the caller's token in the body (`jwt`, as the Console's spec has it), never
   * memoised and never retried (POSTs are not): one mutation, one review.
   */
  postReview(review: RestReviewRequest): Promise<RestReviewData> {
    const call = { route: ConsoleRoute.appReviews, body: { data: review, jwt: this.token ?? '' }, schema: EnvelopeSchema.review };
    return this.send<RestReviewData>(call, (status, upstream) =>
      status === 400 || status === 404 || status === 422
        ? new BadUserInputError('The Console did not accept this review (is productId an app it sells?).', 'input')
        : refusedTokenIsUnauthenticated(status, upstream),
    );
  }

  /**
   * Public: sent without the caller's token, and shared across requests through the public cache.
   * `learnStore`: the caller named this store itself (Query.catalog), so a catalogue that lists
   * products makes it known to product searches. A store id found in anyone's private answers is
   * never learned this way.
   */
  catalog(args: PageArgs, learnStore = false): Promise<RestProductPage> {
    const page = this.publicCall<RestProductPage>({ route: ConsoleRoute.catalog, query: pageQuery(args), schema: EnvelopeSchema.productPage });
    const storeId = args.storeId;
    if (learnStore && storeId !== undefined && this.services.knownStores) {
      page.then(
        (p) => (p.products?.length ? this.services.knownStores!.add(storeId) : undefined),
        () => undefined,
      );
    }
    return page;
  }

  appCatalog(args: { storeId?: number }): Promise<RestAppList> {
    return this.publicCall({ route: ConsoleRoute.appCatalog, query: { store_id: args.storeId }, schema: EnvelopeSchema.appList });
  }

  /** A catalogue page the public cache already holds (fresh or stale); never calls the Console. */
  async peekCatalog(args: PageArgs): Promise<RestProductPage | undefined> {
    const key = memoKey({ route: ConsoleRoute.catalog, query: pageQuery(args), schema: EnvelopeSchema.productPage }, '');
    const memo = this.memo.get(key);
    if (memo !== undefined) return (memo as Promise<RestProductPage>).catch(() => undefined);
    return this.services.publicCache.peek<RestProductPage>(publicKey({ route: ConsoleRoute.catalog, query: pageQuery(args) }), this.sawPublic);
  }

  private mine<T>(call: ConsoleCall): Promise<T> {
    if (this.tokenRefused !== undefined) {
      return Promise.reject(new UnauthenticatedError(this.tokenRefused, { route: routeName(call.route) }));
    }
    // The resolvers refuse a missing token before they get here; an empty one is refused upstream.
    return this.memoised(
      { ...call, token: this.token ?? '' },
      this.token ?? '',
      (status, upstream) => refusedArguments(status, upstream) ?? refusedTokenIsUnauthenticated(status, upstream),
    );
  }

  /**
   * Per request through the memo, across requests through the public cache. The call carries no
   * token, so what the cache stores was never sent with one. A call the cache shares between
   * requests belongs to none of them: it gets a whole operation's time from when it starts, and each
   * request waits for it only until its own deadline. With the deadline of the request that started
   * it, requests that joined with more time left failed when that one ran out.
   */
  private publicCall<T>(call: Omit<ConsoleCall, 'token'>): Promise<T> {
    // Checked here, not in the shared load: a failure for a client that left must never reach
    // another request that joined the same load.
    if (this.scope.clientLeft?.()) return Promise.reject(clientLeftError(routeName(call.route)));
    return this.memoised(call, '', undefined, () =>
      this.services.publicCache.get(
        publicKey(call),
        () =>
          this.send<T>(call, refusedArguments, {
            requestId: this.scope.requestId,
            deadline: Date.now() + this.scope.budgetMs,
            budgetMs: this.scope.budgetMs,
            // The request that starts a shared load passes its trace on, sampled or not.
            ...(this.scope.unsampledTraceHeaders ? { unsampledTraceHeaders: this.scope.unsampledTraceHeaders } : {}),
          }),
        (shared) => untilDeadline(shared, this.scope.deadline, routeName(call.route)),
        this.sawPublic,
      ),
    );
  }

  private memoised<T>(call: ConsoleCall, tokenKey: string, mapStatus?: StatusMapper, load?: () => Promise<T>): Promise<T> {
    const key = memoKey(call, tokenKey);
    let pending = this.memo.get(key) as Promise<T> | undefined;
    if (pending === undefined) {
      pending = load ? load() : this.send<T>(call, mapStatus);
      this.memo.set(key, pending);
    }
    return pending;
  }

  private async send<T>(call: ConsoleCall, mapStatus?: StatusMapper, scope: CallScope = this.scope): Promise<T> {
    this.upstreamCalls += 1;
    try {
      const answer = await callConsole<T>(this.transport, call, scope, mapStatus);
      if (call.token && !this.tokenAccepted) {
        this.tokenAccepted = true;
        this.scope.tokenVerdict?.(true);
      }
      return answer;
    } catch (error) {
      this.upstreamFailures += 1;
      if (error instanceof UnauthenticatedError) {
        if (call.token && this.tokenRefused === undefined) this.scope.tokenVerdict?.(false);
        this.tokenRefused = 'The Console refused the bearer token earlier in this request.';
      }
      throw error;
    }
  }
}
