import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Agent, request } from 'undici';
import { RedisConnection } from '../../src/cache/redis-connection.js';
import { loadGatewayConfig } from '../../src/config.js';
import { EdgeLimits, addressClient, type EdgeLimitConfig } from '../../src/edge/edge-limits.js';
import { MemoryLimitStore, type LimitStore } from '../../src/edge/limit-store.js';
import { RedisLimitStore } from '../../src/edge/redis-limit-store.js';
import { TokenVerifications } from '../../src/edge/token-verification.js';
import { VouchedTokens } from '../../src/edge/vouched-tokens.js';
import { startGateway, type RunningGateway } from '../../src/gateway.js';
import { createLogger } from '../../src/observability/logger.js';
import { startSimulator, type RunningSimulator } from '../../src/simulator/server.js';
import { ROOT, startGatewayProcess, startProcess, type Started } from '../support/processes.js';
import { REDIS_SERVER, startRedis, warnRedisMissing, type RunningRedis } from '../support/redis.js';

/**
 * The edge with a shared Redis, tried as an attacker and an outage would: a trusted-only replica
 * beside an `allow` one, a flood of new clients against a lockout, and a Redis that hangs.
 */
const suite = REDIS_SERVER ? describe : describe.skip;
if (!REDIS_SERVER) warnRedisMissing('test/integration/edge-redis.test.ts');

const logger = createLogger('silent');
const LIMITS: EdgeLimitConfig = {
  operationsPerSecond: 50,
  consoleCallsPerSecond: 0,
  loginMaxFailuresPerUserAddress: 10,
  loginUserAddressWindowMs: 900_000,
  loginMaxFailuresPerAddress: 100,
  loginAddressWindowMs: 3_600_000,
  loginMaxFailuresPerAccount: 50,
  loginAccountWindowMs: 3_600_000,
  loginKnownNetworkMs: 30 * 86_400_000,
  networkPrefixes: { ipv4: 32, ipv6: 64 },
};
/** No token is verified in these tests: every request is its network's. */
const noVerification = async () => ({ verdict: 'unknown' as const });

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, body: JSON.parse(await res.text()) as { data?: unknown; errors?: Array<{ extensions?: Record<string, unknown> }> } };
}

/** Ten failed logins lock (user7, 203.0.113.9); then `flood` distinct clients each spend an operation; the lock must hold. */
async function lockThenFlood(limits: EdgeLimits, flood: number): Promise<void> {
  // A failed guess is counted when it begins and never settled.
  for (let i = 0; i < 10; i += 1) await limits.beginLogin('user7', '203.0.113.9', 'test');
  await expect(limits.beginLogin('user7', '203.0.113.9', 'test')).rejects.toMatchObject({ extensions: { code: 'RATE_LIMITED' } });
  const width = 500;
  for (let i = 0; i < flood; i += width) {
    await Promise.all(
      Array.from({ length: Math.min(width, flood - i) }, (_, j) => {
        const n = i + j;
        return limits.chargeOperation(addressClient(`10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`), 'flood');
      }),
    );
  }
  await expect(limits.beginLogin('user7', '203.0.113.9', 'test')).rejects.toMatchObject({ extensions: { code: 'RATE_LIMITED' } });
}

describe('a lockout under a flood of new clients, in process', () => {
  it('should survive 100,000 distinct clients although the budget store keeps 1,000', async () => {
    const budgets = new MemoryLimitStore(1000);
    const limits = new EdgeLimits(
      LIMITS,
      budgets,
      new MemoryLimitStore(1000),
      new VouchedTokens(60_000, 1000),
      new TokenVerifications(noVerification, budgets, 0),
      logger,
    );
    await lockThenFlood(limits, 100_000);
    expect(budgets.size).toBe(1000);
  });
});

suite('a lockout under a flood of new clients, in Redis', () => {
  let redis: RunningRedis;
  let connection: RedisConnection;
  // The shipped Redis's eviction policy (deploy/kubernetes/components/dev-redis/redis.yaml), with far less memory than the flood needs.
  const policy = /'--maxmemory-policy', '([a-z-]+)'/.exec(readFileSync(join(ROOT, 'deploy/kubernetes/components/dev-redis/redis.yaml'), 'utf8'))![1];
  beforeAll(async () => {
    redis = await startRedis(['--maxmemory', '3mb', '--maxmemory-policy', policy]);
    connection = new RedisConnection({ mode: 'standalone', urls: [new URL(redis.url)] }, 1000, logger);
    await connection.connected(5000);
  });
  afterAll(async () => {
    await connection.close();
    await redis.close();
  });

  it('should survive 100,000 distinct clients that overflow the shipped Redis settings', async () => {
    const store = (): LimitStore => new RedisLimitStore(connection, new MemoryLimitStore(1000), logger);
    const logins = new RedisLimitStore(connection, new MemoryLimitStore(1000), logger, undefined, 'kept');
    const limits = new EdgeLimits(
      LIMITS,
      store(),
      logins,
      new VouchedTokens(60_000, 1000, connection),
      new TokenVerifications(noVerification, logins, 0),
      logger,
    );
    await lockThenFlood(limits, 100_000);
    const info = await redis.admin.info('stats');
    // Redis did evict under the flood: the lock survived eviction, not an empty Redis.
    expect(Number(/evicted_keys:(\d+)/.exec(info)![1])).toBeGreaterThan(1000);
  }, 60_000);

  it("should give tokens back on a negative take (an operation's Console calls it did not make), never above the burst, in Redis as in memory", async () => {
    for (const store of [new RedisLimitStore(connection, new MemoryLimitStore(1000), logger), new MemoryLimitStore(1000)]) {
      const key = `refund-${store.constructor.name}`;
      // Rate 1 a second, burst 100: nothing refills within the test's milliseconds.
      expect(await store.take(key, 90, 1, 100)).toMatchObject({ allowed: true });
      expect(await store.take(key, 20, 1, 100)).toMatchObject({ allowed: false });
      expect(await store.take(key, -85, 1, 100)).toMatchObject({ allowed: true });
      expect(await store.take(key, 95, 1, 100)).toMatchObject({ allowed: true });
      // Given back beyond what was taken: the bucket holds its burst, no more.
      await store.take(key, -500, 1, 100);
      expect(await store.take(key, 100, 1, 100)).toMatchObject({ allowed: true });
      expect(await store.take(key, 2, 1, 100)).toMatchObject({ allowed: false });
    }
  });
});

suite('TRUSTED_DOCUMENTS=only beside an allow replica on one Redis', () => {
  let redis: RunningRedis;
  let sim: RunningSimulator;
  let allow: RunningGateway;
  let only: RunningGateway;
  const manifest = join(ROOT, 'test/operations/persisted-documents.json');
  const gateway = (mode: string) =>
    startGateway(
      loadGatewayConfig({
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: '0',
        METRICS_PORT: '0',
        CONSOLE_URL: sim.url,
        REDIS_URL: redis.url,
        TRUSTED_DOCUMENTS_FILE: manifest,
        TRUSTED_DOCUMENTS: mode,
        CLIENT_OPERATIONS_PER_SECOND: '0',
        CLIENT_CONSOLE_CALLS_PER_SECOND: '0',
      }),
      { logger },
    );
  beforeAll(async () => {
    redis = await startRedis();
    sim = await startSimulator({ admin: true });
    allow = await gateway('allow');
    only = await gateway('only');
  }, 30_000);
  afterAll(async () => {
    await allow?.close();
    await only?.close();
    await sim?.close();
    await redis?.close();
  });

  it('should run nothing outside the manifest, whatever the shared persisted-query store holds', async () => {
    const query = '{ catalog(storeId: 3, page: 2) { page items { id name } } }';
    const sha256Hash = createHash('sha256').update(query).digest('hex');
    const extensions = { persistedQuery: { version: 1, sha256Hash } };
    // Registered through the allow replica: it is in Redis now.
    expect((await post(allow.url, { query, extensions })).status).toBe(200);
    expect((await post(allow.url, { extensions })).body.errors).toBeUndefined();
    await fetch(`${sim.url}/__admin/reset`, { method: 'POST' });
    for (let i = 0; i < 5; i += 1) {
      const byHash = await post(only.url, { extensions });
      expect(byHash.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
      expect(byHash.body.data).toBeUndefined();
      const byGet = await fetch(`${only.url}?extensions=${encodeURIComponent(JSON.stringify(extensions))}`);
      expect(((await byGet.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
      const withText = await post(only.url, { query, extensions });
      expect(withText.body.errors?.[0]?.extensions?.code).toBe('DOCUMENT_NOT_TRUSTED');
    }
    // A persisted query the gateway cannot read is refused too, not handed on.
    const odd = await post(only.url, { extensions: { persistedQuery: { version: 1, sha256Hash: 7 } } });
    expect(odd.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    const stats = (await (await fetch(`${sim.url}/__admin/stats`)).json()) as { requests: Record<string, number> };
    expect(stats.requests).toEqual({});
  });
});

suite('a Redis that hangs under load', () => {
  let redis: RunningRedis;
  let simulator: Started;
  let gateway: { process: Started; url: string };
  beforeAll(async () => {
    redis = await startRedis();
    simulator = startProcess('dist/src/simulator/main.js', { SIMULATOR_PORT: '0' });
    const simUrl = (await simulator.waitFor(/listening on (http:\/\/\S+)/))[1];
    // Budgets on, but high: every check goes through Redis, none refuses.
    gateway = await startGatewayProcess({
      CONSOLE_URL: simUrl,
      NODE_ENV: 'production',
      REDIS_URL: redis.url,
      CLIENT_OPERATIONS_PER_SECOND: '100000',
      CLIENT_CONSOLE_CALLS_PER_SECOND: '100000',
      LOG_LEVEL: 'info',
    });
  }, 30_000);
  afterAll(async () => {
    redis?.resume();
    await gateway?.process.stop();
    await simulator?.stop();
    await redis?.close();
  });

  it('should stop waiting on a Redis stopped by SIGSTOP: after its first second the median latency rises by less than 50 ms and the throughput holds, and nothing answers 5xx', async () => {
    const login = await post(`${gateway.url}`, { query: 'mutation { login(username: "user21", password: "password") { token } }' });
    const token = (login.body.data as { login: { token: string } }).login.token;
    const query = '{ me { products { page } apps { page } subscriptions { total } } catalog { page items { id } } }';
    const dispatcher = new Agent({ connections: 16 });
    const samples: Array<{ at: number; ms: number; status: number }> = [];
    let running = true;
    const client = async () => {
      while (running) {
        const started = performance.now();
        const res = await request(gateway.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query }),
          dispatcher,
        });
        await res.body.arrayBuffer();
        samples.push({ at: Date.now(), ms: performance.now() - started, status: res.statusCode });
      }
    };
    const latency = (from: number, to: number) => {
      const window = samples
        .filter((s) => s.at >= from && s.at < to)
        .map((s) => s.ms)
        .sort((a, b) => a - b);
      const at = (q: number) => window[Math.floor(window.length * q)] ?? Number.NaN;
      return { median: at(0.5), p99: at(0.99), count: window.length, perSecond: (window.length * 1000) / (to - from) };
    };
    const loops = Array.from({ length: 16 }, client);
    await new Promise((r) => setTimeout(r, 1000)); // warm-up
    const before = Date.now();
    await new Promise((r) => setTimeout(r, 4000));
    const stopped = Date.now();
    redis.pause();
    await new Promise((r) => setTimeout(r, 10_000));
    redis.resume();
    const resumed = Date.now();
    await new Promise((r) => setTimeout(r, 2000));
    running = false;
    await Promise.all(loops);
    await dispatcher.close();
    const baseline = latency(before, stopped);
    const hung = latency(stopped + 1000, resumed);
    process.stderr.write(
      `hung redis: median ${baseline.median.toFixed(1)} ms, p99 ${baseline.p99.toFixed(1)} ms, ${baseline.perSecond.toFixed(0)} requests/s before; ` +
        `median ${hung.median.toFixed(1)} ms, p99 ${hung.p99.toFixed(1)} ms, ${hung.perSecond.toFixed(0)} requests/s while stopped, after its first second\n`,
    );
    expect(samples.filter((s) => s.status >= 500)).toEqual([]);
    expect(hung.count).toBeGreaterThan(100);
    // Measured against the same run's own baseline, not a fixed time: a gateway that still waited on
    // the stopped Redis would spend REDIS_TIMEOUT_MS (100 ms) on each of a request's Redis commands,
    // which moves the median by more than that and halves the throughput; a busy machine's tail does not.
    expect(hung.median - baseline.median).toBeLessThan(50);
    expect(hung.perSecond).toBeGreaterThan(baseline.perSecond * 0.5);
    const metrics = await (await fetch(gateway.url.replace(/\/graphql$/, '/metrics'))).text();
    expect(metrics).toMatch(/^flecs_graph_redis_bypassed 0$/m);
    expect(gateway.process.output().stdout + gateway.process.output().stderr).toContain('redis is not answering in time');
  }, 40_000);
});
