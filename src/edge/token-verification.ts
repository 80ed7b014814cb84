import type { GatewayMetrics } from '../observability/metrics.js';
import type { LimitStore } from './limit-store.js';

/** What the Console said of a token: valid, invalid, or nothing (it failed, or was not asked). */
export type TokenVerdict = 'valid' | 'invalid' | 'unknown';

/** A verification's verdict, and the Console's answer itself (the validate route's `data`) when it gave one. */
export interface Verification {
  verdict: TokenVerdict;
  answer?: unknown;
}

/** Asks the Console once whether a token is valid (POST /api/v2/auth/validate). Never throws. */
export type TokenVerifier = (token: string, requestId: string) => Promise<Verification>;

/**
 * Verifications of tokens nobody vouched for yet: one per token at a time, started only while the
 * network has Console calls left (a verification is a Console call made for the network, not yet
 * for any user: it spends the network's budget of Console calls, the one its anonymous operations
 * spend). The request that starts one gets the Console's answer; the ones that join get the verdict
 * only. The map holds only verifications on their way: each one's network paid for it.
 */
export class TokenVerifications {
  private readonly verifying = new Map<string, Promise<TokenVerdict>>();

  constructor(
    private readonly verifier: TokenVerifier,
    private readonly store: LimitStore,
    /** CLIENT_CONSOLE_CALLS_PER_SECOND: the network's budget (burst twice that); 0 = unlimited. */
    private readonly consoleCallsPerSecond: number,
    private readonly metrics?: GatewayMetrics,
  ) {}

  async verify(token: string, tokenHash: string, network: string, requestId: string): Promise<Verification> {
    const joined = this.verifying.get(tokenHash);
    if (joined !== undefined) return { verdict: await joined };
    let answer: unknown;
    const pending = (async (): Promise<TokenVerdict> => {
      const rate = this.consoleCallsPerSecond;
      if (rate > 0 && !(await this.store.take(`calls:n:${network}`, 1, rate, rate * 2)).allowed) {
        this.metrics?.tokenVerifications.inc({ outcome: 'skipped' });
        return 'unknown';
      }
      const verification = await this.verifier(token, requestId);
      answer = verification.answer;
      this.metrics?.tokenVerifications.inc({ outcome: verification.verdict === 'unknown' ? 'failed' : verification.verdict });
      return verification.verdict;
    })().finally(() => this.verifying.delete(tokenHash));
    this.verifying.set(tokenHash, pending);
    const verdict = await pending;
    return answer === undefined ? { verdict } : { verdict, answer };
  }
}
