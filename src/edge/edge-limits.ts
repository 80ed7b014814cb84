import { hash as digest } from 'node:crypto';
import { HeaderMap } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { ErrorCode } from '../common/errors.js';
import type { Logger } from '../observability/logger.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import type { AcceptedTokens } from './accepted-tokens.js';
import type { LimitStore } from './limit-store.js';

export interface EdgeLimitConfig {
  /** Operations per second per client (token bucket, burst twice that); 0 = off. */
  operationsPerSecond: number;
  /** Console calls per second per client, charged with an operation's upstream cost; 0 = off. */
  consoleCallsPerSecond: number;
  /** Failed logins for one username from one address within `loginUserAddressWindowMs`; 0 = off. */
  loginMaxFailuresPerUserAddress: number;
  loginUserAddressWindowMs: number;
  /** Failed logins from one address within `loginAddressWindowMs`; 0 = off. */
  loginMaxFailuresPerAddress: number;
  loginAddressWindowMs: number;
}

/**
 * Who a request is, for the limits: its bearer token's hash once the Console has accepted that
 * token, otherwise its address (a token nobody vouched for buys no budget of its own).
 */
export interface EdgeClient {
  key: string;
  address: string;
  /** The bearer token's hash, when the request carries one (accepted or not). */
  tokenHash?: string;
}

export type RefusalKind = 'operations' | 'console_calls' | 'login_user_address' | 'login_address';

/** A refusal: RATE_LIMITED, `retryAfter` in whole seconds; HTTP 429 when it refuses the whole operation. */
export class RateLimitedError extends GraphQLError {
  constructor(
    message: string,
    readonly kind: RefusalKind,
    readonly retryAfterSeconds: number,
    wholeOperation: boolean,
  ) {
    super(message, {
      extensions: {
        code: ErrorCode.RateLimited,
        retryAfter: retryAfterSeconds,
        ...(wholeOperation ? { http: { status: 429, headers: new HeaderMap([['retry-after', String(retryAfterSeconds)]]) } } : {}),
      },
    });
  }
}

// One-shot: no Hash object per request (half the time of createHash().update().digest()).
const hash = (value: string) => digest('sha256', value, 'hex').slice(0, 32);
const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/** A request's client before anything is known of its token: charged to its address. */
export function addressClient(address: string, token?: string): EdgeClient {
  return { key: `a:${address}`, address, ...(token === undefined ? {} : { tokenHash: hash(token) }) };
}

/**
 * The public edge's limits, checked before anything costs a Console call: a client's
 * operations and Console calls (token buckets), and failed logins per (username, address) and per
 * address (fixed windows). Every login attempt is counted before its Console call (so attempts that
 * run at once, aliased `login` fields included, cannot all slip under the limit) and refunded when
 * it is refused, succeeds, or the Console rather than the password failed. Usernames are compared trimmed and case-insensitively, and only their hash is
 * kept or logged.
 */
export class EdgeLimits {
  constructor(
    private readonly config: EdgeLimitConfig,
    /** Budget buckets: evictable under a flood, which only resets some budgets. */
    private readonly store: LimitStore,
    /** Failed-login counters: a store of their own, which traffic a client controls cannot wash out. */
    private readonly loginStore: LimitStore,
    private readonly tokens: AcceptedTokens,
    private readonly logger: Logger,
    private readonly metrics?: GatewayMetrics,
  ) {}

  /** The request's client: its token's hash when the Console accepted that token lately, else its address. */
  async identify(token: string | undefined, address: string): Promise<EdgeClient> {
    const client = addressClient(address, token);
    if (client.tokenHash !== undefined && (await this.tokens.has(client.tokenHash))) client.key = `t:${client.tokenHash}`;
    return client;
  }

  /** What the Console said of the request's bearer token: accepted (a 2xx on a `/my/` route) or refused. */
  tokenVerdict(client: EdgeClient, accepted: boolean): void {
    if (client.tokenHash === undefined) return;
    if (accepted) this.tokens.accepted(client.tokenHash);
    else this.tokens.refused(client.tokenHash);
  }

  /** A token the Console issued through this gateway's login: its first request already has a budget of its own. */
  tokenIssued(token: string): void {
    this.tokens.accepted(hash(token));
  }

  /** Throws RateLimitedError (HTTP 429) when the client has no operation left in its budget. */
  async chargeOperation(client: EdgeClient, requestId: string): Promise<void> {
    const rate = this.config.operationsPerSecond;
    if (rate === 0) return;
    const answer = await this.store.take(`ops:${client.key}`, 1, rate, rate * 2);
    if (!answer.allowed)
      throw this.refuse(
        'operations',
        requestId,
        answer.retryAfterMs,
        true,
        `Too many operations from this client; retry in ${seconds(answer.retryAfterMs)} s.`,
      );
  }

  /** Throws RateLimitedError (HTTP 429) when the operation's Console calls do not fit the client's budget. */
  async chargeConsoleCalls(client: EdgeClient, upstreamCost: number, requestId: string): Promise<void> {
    const rate = this.config.consoleCallsPerSecond;
    if (rate === 0 || upstreamCost === 0) return;
    // An operation dearer than the whole burst is charged the burst: it can still run once the bucket is full.
    const cost = Math.min(upstreamCost, rate * 2);
    const answer = await this.store.take(`calls:${client.key}`, cost, rate, rate * 2);
    if (!answer.allowed) {
      throw this.refuse(
        'console_calls',
        requestId,
        answer.retryAfterMs,
        true,
        `This client has used its Console calls for now; retry in ${seconds(answer.retryAfterMs)} s.`,
      );
    }
  }

  /**
   * Counts one login attempt before it is sent; throws RateLimitedError when the username from this
   * address, or this address, is blocked. Returns how to settle the attempt once the Console answered.
   */
  async beginLogin(username: string, address: string, requestId: string): Promise<{ succeeded(): Promise<void>; notAGuess(): Promise<void> }> {
    const userKey = `login:ua:${hash(username.trim().toLowerCase())}:${address}`;
    const addressKey = `login:a:${address}`;
    const { loginMaxFailuresPerUserAddress: perUser, loginMaxFailuresPerAddress: perAddress } = this.config;
    const [user, all] = await Promise.all([
      perUser > 0 ? this.loginStore.add(userKey, 1, this.config.loginUserAddressWindowMs) : undefined,
      perAddress > 0 ? this.loginStore.add(addressKey, 1, this.config.loginAddressWindowMs) : undefined,
    ]);
    const refund = async () => {
      await Promise.all([
        user ? this.loginStore.add(userKey, -1, this.config.loginUserAddressWindowMs) : undefined,
        all ? this.loginStore.add(addressKey, -1, this.config.loginAddressWindowMs) : undefined,
      ]);
    };
    // The same words whether or not the username exists, and whichever window is full.
    const message = (ms: number) => `Too many failed logins; retry in ${seconds(ms)} s.`;
    // A refused attempt is no guess: it is not counted (a blocked pair must not use up its address's allowance).
    if (user && user.count > perUser) {
      await refund();
      throw this.refuse('login_user_address', requestId, user.resetInMs, false, message(user.resetInMs));
    }
    if (all && all.count > perAddress) {
      await refund();
      throw this.refuse('login_address', requestId, all.resetInMs, false, message(all.resetInMs));
    }
    return {
      succeeded: async () => {
        await Promise.all([
          user ? this.loginStore.remove(userKey) : undefined,
          all ? this.loginStore.add(addressKey, -1, this.config.loginAddressWindowMs) : undefined,
        ]);
      },
      notAGuess: refund,
    };
  }

  private refuse(kind: RefusalKind, requestId: string, retryAfterMs: number, wholeOperation: boolean, message: string): RateLimitedError {
    const retryAfter = seconds(retryAfterMs);
    this.metrics?.rateLimited.inc({ kind });
    this.logger.info({ requestId, kind, retryAfter }, 'rate limited');
    return new RateLimitedError(message, kind, retryAfter, wholeOperation);
  }
}
