import { createHash } from 'node:crypto';
import { HeaderMap } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { ErrorCode } from '../common/errors.js';
import type { Logger } from '../observability/logger.js';
import type { GatewayMetrics } from '../observability/metrics.js';
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

/** Who a request is, for the limits: its bearer token's hash, or its address. */
export interface EdgeClient {
  key: string;
  address: string;
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

const hash = (value: string) => createHash('sha256').update(value).digest('hex').slice(0, 32);
const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/** The client of a request: a bearer token is keyed by its hash (never the token), else the address. */
export function edgeClient(token: string | undefined, address: string): EdgeClient {
  return { key: token === undefined ? `a:${address}` : `t:${hash(token)}`, address };
}

/**
 * The public edge's limits (issue 15), checked before anything costs a Console call: a client's
 * operations and Console calls (token buckets), and failed logins per (username, address) and per
 * address (fixed windows). Every login attempt is counted before its Console call (so attempts that
 * run at once, aliased `login` fields included, cannot all slip under the limit) and refunded when
 * it is refused, succeeds, or the Console rather than the password failed. Usernames are compared trimmed and case-insensitively, and only their hash is
 * kept or logged.
 */
export class EdgeLimits {
  constructor(
    private readonly config: EdgeLimitConfig,
    private readonly store: LimitStore,
    private readonly logger: Logger,
    private readonly metrics?: GatewayMetrics,
  ) {}

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
      perUser > 0 ? this.store.add(userKey, 1, this.config.loginUserAddressWindowMs) : undefined,
      perAddress > 0 ? this.store.add(addressKey, 1, this.config.loginAddressWindowMs) : undefined,
    ]);
    const refund = async () => {
      await Promise.all([
        user ? this.store.add(userKey, -1, this.config.loginUserAddressWindowMs) : undefined,
        all ? this.store.add(addressKey, -1, this.config.loginAddressWindowMs) : undefined,
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
        await Promise.all([user ? this.store.remove(userKey) : undefined, all ? this.store.add(addressKey, -1, this.config.loginAddressWindowMs) : undefined]);
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
