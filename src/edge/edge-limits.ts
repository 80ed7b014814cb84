import { hash as digest } from 'node:crypto';
import { accountId, accountOfToken } from '../auth/token-account.js';
import { withoutStack } from '../common/errors.js';
import type { Logger } from '../observability/logger.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import type { LimitStore } from './limit-store.js';
import { networkOf, type NetworkPrefixes } from './network.js';
import { RateLimitedError, type RefusalKind } from './rate-limited-error.js';
import type { TokenVerifications } from './token-verification.js';
import type { VouchedTokens } from './vouched-tokens.js';

export interface EdgeLimitConfig {
  /** Operations per second per caller (token bucket, burst twice that); 0 = off. */
  operationsPerSecond: number;
  /** Console calls per second per caller, charged with an operation's upstream cost; 0 = off. */
  consoleCallsPerSecond: number;
  /** Failed logins for one account from one network within `loginUserAddressWindowMs`; 0 = off. */
  loginMaxFailuresPerUserAddress: number;
  loginUserAddressWindowMs: number;
  /** Failed logins from one network within `loginAddressWindowMs`; 0 = off. */
  loginMaxFailuresPerAddress: number;
  loginAddressWindowMs: number;
  /** Failed logins for one account from all networks within `loginAccountWindowMs`; past it only networks the account logged in from before may try; 0 = off. */
  loginMaxFailuresPerAccount: number;
  loginAccountWindowMs: number;
  /** How long a network where an account logged in stays one it may log in from during an attack on the account. */
  loginKnownNetworkMs: number;
  /** Which part of an address is its network (NETWORK_PREFIX_IPV4, NETWORK_PREFIX_IPV6). */
  networkPrefixes: NetworkPrefixes;
}

/**
 * Who a request is, for every limit (docs/security.md, "Who is calling"): a **user** when the
 * Console vouched for its bearer token (keyed by the account, so one account's tokens share one
 * budget), otherwise its **network** (an IPv4 address or an IPv6 /64).
 */
export interface EdgeClient {
  /** The budget key: `u:<account id's hash>` or `t:<token hash>` for a user, `n:<network>` otherwise. */
  key: string;
  /** The network the request came from: login attempts and anonymous work are counted by it. */
  network: string;
  /** The bearer token's hash, when the request carries one. */
  tokenHash?: string;
  /**
   * What the gateway knows of the bearer token as the operation starts: `vouched` (the Console
   * accepted it lately), `refused` (its verification said invalid: no `/my/` call is made with it),
   * `unverified` (its network's Console calls were spent, or the Console did not answer: it runs
   * on the network's budget, and a 2xx on a `/my/` route vouches for it).
   */
  token?: 'vouched' | 'refused' | 'unverified';
  /** The user key the token would have once vouched for (its account where its claims name one). */
  userKey?: string;
  /**
   * The Console's answer to this token's verification, carried only by the request that made it
   * (never shared with another request): its own `featureFlags` read it instead of asking again.
   */
  verification?: unknown;
}

// One-shot: no Hash object per request (half the time of createHash().update().digest()).
const hash = (value: string) => digest('sha256', value, 'hex').slice(0, 32);
const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/** A request's caller before anything is known of its token (schema tests without HTTP use it). */
export function addressClient(address: string, token?: string): EdgeClient {
  const network = networkOf(address);
  return { key: `n:${network}`, network, ...(token === undefined ? {} : { tokenHash: hash(token), token: 'unverified' as const }) };
}

/**
 * The public edge's limits, checked before anything costs a Console call: a caller's operations
 * and Console calls (token buckets; a new token's verification is a Console call of its network), and failed logins per
 * (account, network), per network and per account (fixed windows). Every login attempt is counted
 * before its Console call (so attempts that run at once, aliased `login` fields included, cannot
 * all slip under the limit) and refunded when it is refused, succeeds, or the Console rather than
 * the password failed. Usernames are compared trimmed and case-insensitively, and only their hash
 * is kept or logged.
 */
export class EdgeLimits {
  constructor(
    private readonly config: EdgeLimitConfig,
    /** Budget buckets: evictable under a flood, which only resets some budgets. */
    private readonly store: LimitStore,
    /** Failed-login counters: a store of their own, which traffic a client controls cannot wash out. */
    private readonly loginStore: LimitStore,
    private readonly tokens: VouchedTokens,
    private readonly verifications: TokenVerifications,
    private readonly logger: Logger,
    private readonly metrics?: GatewayMetrics,
  ) {}

  /**
   * Who the request is. A token the Console vouched for lately is its user. A token nobody vouched
   * for is verified once (one Console call, shared by every request that carries it meanwhile,
   * charged to its network's budget of Console calls) and, when valid, runs on its user's budget from this
   * first operation; when invalid or unverified, the request is its network's.
   */
  async identify(token: string | undefined, address: string, requestId: string): Promise<EdgeClient> {
    const network = networkOf(address, this.config.networkPrefixes);
    if (token === undefined) return { key: `n:${network}`, network };
    const tokenHash = hash(token);
    const principal = await this.tokens.principalOf(tokenHash);
    if (principal !== undefined) return { key: principal, network, tokenHash, token: 'vouched' };
    const userKey = userKeyOf(token, tokenHash);
    if (this.tokens.refusedLatelyHere(tokenHash)) return { key: `n:${network}`, network, tokenHash, token: 'refused', userKey };
    const { verdict, answer } = await this.verifications.verify(token, tokenHash, network, requestId);
    const verification = answer === undefined ? {} : { verification: answer };
    if (verdict === 'valid') {
      this.tokens.vouched(tokenHash, userKey);
      return { key: userKey, network, tokenHash, token: 'vouched', ...verification };
    }
    if (verdict === 'invalid') this.tokens.invalid(tokenHash);
    return { key: `n:${network}`, network, tokenHash, token: verdict === 'invalid' ? 'refused' : 'unverified', userKey, ...verification };
  }

  /** What the Console said of the request's bearer token on a `/my/` route: accepted (2xx) or refused (401/403). */
  tokenVerdict(client: EdgeClient, accepted: boolean): void {
    if (client.tokenHash === undefined) return;
    if (!accepted) this.tokens.refused(client.tokenHash);
    else this.tokens.vouched(client.tokenHash, client.token === 'vouched' ? client.key : (client.userKey ?? `t:${client.tokenHash}`));
  }

  /** A token the Console issued through this gateway's login, for the account `userId`: its first request runs on that account's budget. */
  tokenIssued(token: string, userId: unknown): void {
    const tokenHash = hash(token);
    const account = accountId(userId);
    this.tokens.vouched(tokenHash, account === undefined ? userKeyOf(token, tokenHash) : accountKey(account));
  }

  /** Throws RateLimitedError (HTTP 429) when the caller has no operation left in its budget. */
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

  /**
   * Charges the operation's Console calls, as many as it may make, to the caller's budget before it
   * runs; resolves with what was charged. Throws RateLimitedError (HTTP 429) when they do not fit.
   */
  async chargeConsoleCalls(client: EdgeClient, upstreamCost: number, requestId: string): Promise<number> {
    const rate = this.config.consoleCallsPerSecond;
    if (rate === 0 || upstreamCost === 0) return 0;
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
    return cost;
  }

  /**
   * Gives back the calls an operation was charged for and did not make (its memo, the public cache
   * and the answer cache served them): the budget counts Console calls, and the charge before the
   * operation ran was its worst case. Never above the burst.
   */
  async refundConsoleCalls(client: EdgeClient, calls: number): Promise<void> {
    const rate = this.config.consoleCallsPerSecond;
    if (rate === 0 || calls <= 0) return;
    await this.store.take(`calls:${client.key}`, -calls, rate, rate * 2);
  }

  /**
   * Counts one login attempt before it is sent; throws RateLimitedError when the account from this
   * network, this network, or (from a network the account never logged in from) the account is
   * blocked. Returns how to settle the attempt once the Console answered.
   */
  async beginLogin(username: string, network: string, requestId: string): Promise<{ succeeded(): Promise<void>; notAGuess(): Promise<void> }> {
    const account = hash(username.trim().toLowerCase());
    const c = this.config;
    const windows = [
      { kind: 'login_user_address' as const, key: `login:ua:${account}:${network}`, max: c.loginMaxFailuresPerUserAddress, ms: c.loginUserAddressWindowMs },
      { kind: 'login_address' as const, key: `login:a:${network}`, max: c.loginMaxFailuresPerAddress, ms: c.loginAddressWindowMs },
      { kind: 'login_account' as const, key: `login:u:${account}`, max: c.loginMaxFailuresPerAccount, ms: c.loginAccountWindowMs },
    ].filter((w) => w.max > 0);
    const knownKey = `login:known:${account}:${network}`;
    const counts = await Promise.all(windows.map((w) => this.loginStore.add(w.key, 1, w.ms)));
    const refund = async () => {
      await Promise.all(windows.map((w) => this.loginStore.add(w.key, -1, w.ms)));
    };
    // The same words whether or not the username exists, and whichever window is full.
    const message = (ms: number) => `Too many failed logins; retry in ${seconds(ms)} s.`;
    for (const [i, w] of windows.entries()) {
      const count = counts[i];
      if (count.count <= w.max) continue;
      // An account under attack from elsewhere: the networks it logged in from before still may try.
      if (w.kind === 'login_account' && (await this.loginStore.peek(knownKey)) > 0) continue;
      // A refused attempt is no guess: it is not counted (a blocked pair must not use up its network's allowance).
      await refund();
      throw this.refuse(w.kind, requestId, count.resetInMs, false, message(count.resetInMs));
    }
    return {
      succeeded: async () => {
        await Promise.all([
          ...windows.map((w) => (w.kind === 'login_user_address' ? this.loginStore.remove(w.key) : this.loginStore.add(w.key, -1, w.ms))),
          // Known for LOGIN_KNOWN_NETWORK_DAYS from its latest successful login.
          c.loginMaxFailuresPerAccount > 0 ? this.loginStore.remove(knownKey).then(() => this.loginStore.add(knownKey, 1, c.loginKnownNetworkMs)) : undefined,
        ]);
      },
      notAGuess: refund,
    };
  }

  private refuse(kind: RefusalKind, requestId: string, retryAfterMs: number, wholeOperation: boolean, message: string): RateLimitedError {
    const retryAfter = seconds(retryAfterMs);
    this.metrics?.rateLimited.inc({ kind });
    this.logger.info({ requestId, kind, retryAfter }, 'rate limited');
    return withoutStack(() => new RateLimitedError(message, kind, retryAfter, wholeOperation));
  }
}

/** The user a token belongs to once vouched for: its account where its claims name one, else the token itself. */
function userKeyOf(token: string, tokenHash: string): string {
  const account = accountOfToken(token);
  return account === undefined ? `t:${tokenHash}` : accountKey(account);
}

/** An account's budget key: its id hashed like everything else the limits keep. */
function accountKey(account: string): string {
  return `u:${hash(`account:${account}`)}`;
}
