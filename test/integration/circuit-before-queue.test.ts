import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startStack, type Stack } from '../support/stack.js';

/**
 * A route whose circuit is open fails fast even when every Console connection is busy: the circuit
 * is asked first, and only a call that will be sent waits for a connection.
 */
describe('an open circuit under a full connection pool', () => {
  let stack: Stack;
  beforeAll(
    async () =>
      (stack = await startStack({
        // One connection, a patient queue, and a circuit that opens on the first failure.
        env: { CONSOLE_MAX_CONNECTIONS: '1', CONSOLE_QUEUE_TIMEOUT_MS: '5000', CIRCUIT_FAILURE_THRESHOLD: '1', CIRCUIT_RESET_MS: '60000' },
      })),
  );
  afterAll(async () => stack.close());

  it('should refuse a call to the open route at once, not after waiting for the busy connection', async () => {
    const token = stack.tokenFor(5);
    await stack.fault('GET /api/v2/my/subscriptions', { status: 500 });
    const opened = await stack.gql('{ me { subscriptions { total } } }', {}, { token });
    expect(opened.body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_ERROR');
    await stack.clearFaults();
    // The one connection is held by a slow call to another route, for SLOW_MS.
    const SLOW_MS = 4000;
    const HEAD_START_MS = 200;
    await stack.fault('GET /api/v2/my/products', { latencyMs: SLOW_MS });
    const slow = stack.gql('{ me { products { page } } }', {}, { token });
    await new Promise((resolve) => setTimeout(resolve, HEAD_START_MS));
    const started = performance.now();
    const refused = await stack.gql('{ me { subscriptions { total } } }', {}, { token });
    const tookMs = performance.now() - started;
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    // Waiting for the busy connection (before the fix) takes the rest of the slow call, 3.8 s; the
    // bound is half of that, so only a machine stalled for seconds could fail it.
    expect(tookMs).toBeLessThan((SLOW_MS - HEAD_START_MS) / 2);
    expect((await slow).body.errors).toBeUndefined();
    await stack.clearFaults();
  });
});
