import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DashboardDocument } from '../generated/graphql.js';
import { createLogger } from '../../src/observability/logger.js';
import { startGatewayProcess, startProcess, type Started } from '../support/processes.js';
import { REDIS_SERVER, startRedis, warnRedisMissing, type RunningRedis } from '../support/redis.js';
import { startStack, type Stack } from '../support/stack.js';

/**
 * The shared store for replicas, on a real redis-server (Debian's package) on a free port: two
 * gateway processes sharing catalogue pages and persisted queries, and Redis down, stalled,
 * flushed and restarted under the gateway's feet (misses, never errors or stalls).
 */
const suite = REDIS_SERVER ? describe : describe.skip;
if (!REDIS_SERVER) warnRedisMissing('test/integration/redis.test.ts');

const CATALOG = '{ catalog(storeId: 7, page: 2) { page totalPages items { id name } } }';

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return {
    status: res.status,
    body: (await res.json()) as { data?: Record<string, unknown> | null; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> },
  };
}

suite('two gateway processes on one Redis', () => {
  let redis: RunningRedis;
  let simulator: Started;
  let simUrl: string;
  const gateways: Array<{ process: Started; url: string }> = [];
  const admin = async (method: string, path: string) => (await fetch(`${simUrl}/__admin/${path}`, { method })).json() as Promise<Record<string, unknown>>;

  beforeAll(async () => {
    redis = await startRedis();
    simulator = startProcess('dist/src/simulator/main.js', { SIMULATOR_PORT: '0', SIMULATOR_ADMIN: '1' });
    simUrl = (await simulator.waitFor(/listening on (http:\/\/\S+)/))[1]!;
    for (let i = 0; i < 2; i += 1) gateways.push(await startGatewayProcess({ CONSOLE_URL: simUrl, NODE_ENV: 'production', REDIS_URL: redis.url }));
  });
  afterAll(async () => {
    for (const g of gateways) await g.process.stop();
    await simulator?.stop();
    await redis?.close();
  });

  it('should serve a catalogue page fetched through the first gateway from the second with no Console call', async () => {
    const first = await post(gateways[0].url, { query: CATALOG });
    expect(first.body.errors).toBeUndefined();
    await admin('POST', 'reset');
    const second = await post(gateways[1].url, { query: CATALOG });
    expect(second.body).toEqual(first.body);
    expect((await admin('GET', 'stats')).requests).toEqual({});
  });

  it('should verify a token once for both gateways, and have both forget it once the Console refused it on one', async () => {
    const login = await fetch(`${simUrl}/api/v2/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'user12', password: 'password', issueJWT: true }),
    });
    const token = ((await login.json()) as { data: { jwt: { token: string } } }).data.jwt.token;
    const mine = (url: string) => post(url, { query: '{ me { subscriptions { total } } }' }, { authorization: `Bearer ${token}` });
    await admin('POST', 'reset');
    expect((await mine(gateways[0].url)).body.errors).toBeUndefined();
    expect((await mine(gateways[1].url)).body.errors).toBeUndefined();
    // One verification for the two replicas: the second found the token vouched for in Redis.
    expect(((await admin('GET', 'stats')).requests as Record<string, number>)['POST /api/v2/auth/validate']).toBe(1);
    // The Console refuses it on the first replica's route (a revoked session)...
    await fetch(`${simUrl}/__admin/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ route: 'GET /api/v2/my/subscriptions', status: 401 }),
    });
    expect((await mine(gateways[0].url)).body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    await admin('DELETE', 'faults');
    await admin('POST', 'reset');
    // ...and within LOCAL_RECHECK_MS (5 s) the second has forgotten it too: it verifies the token again.
    await new Promise((resolve) => setTimeout(resolve, 5200));
    expect((await mine(gateways[1].url)).body.errors).toBeUndefined();
    expect(((await admin('GET', 'stats')).requests as Record<string, number>)['POST /api/v2/auth/validate']).toBe(1);
  }, 20_000);

  it('should run a persisted query registered on the first gateway from the second, by hash alone, over GET', async () => {
    const query = '{ catalog(storeId: 12) { page totalPages } }';
    const sha256Hash = createHash('sha256').update(query).digest('hex');
    const extensions = { persistedQuery: { version: 1, sha256Hash } };
    const unknown = await fetch(`${gateways[1].url}?extensions=${encodeURIComponent(JSON.stringify(extensions))}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(((await unknown.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    const registered = await post(gateways[0].url, { query, extensions });
    expect(registered.body.errors).toBeUndefined();
    const res = await fetch(`${gateways[1].url}?extensions=${encodeURIComponent(JSON.stringify(extensions))}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(registered.body);
  });

  it('should give persisted queries in Redis a TTL, and keep a document with a string literal out of Redis (issue 23.1)', async () => {
    const plain = `{ appCatalog { total } t${Date.now()}: __typename }`;
    const plainHash = createHash('sha256').update(plain).digest('hex');
    expect((await post(gateways[0].url, { query: plain, extensions: { persistedQuery: { version: 1, sha256Hash: plainHash } } })).body.errors).toBeUndefined();
    const ttl = await redis.admin.ttl(`flecs-graph:apq:${plainHash}`);
    expect(ttl).toBeGreaterThan(86_000); // PERSISTED_QUERY_TTL_SECONDS, 1 day by default
    expect(ttl).toBeLessThanOrEqual(86_400);

    const secret = '{ validateToken(token: "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0.x") { isValid } }';
    const secretHash = createHash('sha256').update(secret).digest('hex');
    const extensions = { persistedQuery: { version: 1, sha256Hash: secretHash } };
    expect((await post(gateways[0].url, { query: secret, extensions })).status).toBe(200);
    expect(await redis.admin.exists(`flecs-graph:apq:${secretHash}`)).toBe(0);
    for (const key of await redis.admin.keys('*'))
      expect(String((await redis.admin.type(key)) === 'string' ? await redis.admin.get(key) : '')).not.toContain('c2VjcmV0');
    // The replica that saw it still runs it by hash; another asks for the text again.
    const byHash = (url: string) => post(url, { extensions });
    expect((await byHash(gateways[0].url)).body.errors).toBeUndefined();
    expect((await byHash(gateways[1].url)).body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it("should keep only public catalogue answers and query texts in Redis, never a token or a caller's data", async () => {
    const login = await post(gateways[0].url, { query: 'mutation { login(username: "user3", password: "password") { token } }' });
    const token = (login.body.data!.login as { token: string }).token;
    const dashboard = await post(gateways[1].url, { query: print(DashboardDocument) }, { authorization: `Bearer ${token}` });
    expect(dashboard.body.errors).toBeUndefined();
    const keys = await redis.admin.keys('*');
    expect(keys.length).toBeGreaterThan(5);
    // Public answers, query texts, public store ids, hashes of vouched tokens, and the edge's counters,
    // keyed by a hash of the account, token or username and the network.
    const ip = '[0-9a-f.:/]+';
    const hex = '[0-9a-f]{32}';
    const allowed = new RegExp(
      `^flecs-graph:(public:v1:GET /api/v2/products(/apps)?\\?[\\w=&]*|apq:[0-9a-f]{64}|stores:v2|accepted:${hex}|limit:(ops|calls):([ut]:${hex}|n:${ip})|\\{logins:\\d+\\}:(index|login:(a:${ip}|u:${hex}|(ua|known):${hex}:${ip})))$`,
    );
    for (const key of keys) expect(key).toMatch(allowed);
    // Every value, whatever its type: strings, the store set, the limit buckets.
    const values = await Promise.all(
      keys.map(async (key) => {
        const type = await redis.admin.type(key);
        if (type === 'set') return JSON.stringify(await redis.admin.smembers(key));
        if (type === 'zset') return JSON.stringify(await redis.admin.zrange(key, 0, -1));
        if (type === 'hash') return JSON.stringify(await redis.admin.hgetall(key));
        return (await redis.admin.get(key)) ?? '';
      }),
    );
    for (const value of values) {
      expect(value).not.toContain(token);
      // A vouched token's user is a hash of its account, never the account's id.
      expect(value).not.toMatch(/^u:\d+$/);
      expect(value).not.toContain('user3@example.com');
      expect(value).not.toContain('line_items');
    }
  });
});

suite('Redis failing under a running gateway', () => {
  let redis: RunningRedis;
  let stack: Stack;
  const lines: string[] = [];
  const logger = createLogger(
    'info',
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(
          ...chunk
            .toString()
            .split('\n')
            .filter((l) => l.trim() !== ''),
        );
        done();
      },
    }),
  );
  const messages = () => lines.map((l) => (JSON.parse(l) as { msg: string }).msg);

  beforeAll(async () => {
    redis = await startRedis();
    stack = await startStack({ env: { REDIS_URL: redis.url, REDIS_TIMEOUT_MS: '50' }, gateway: { logger } });
    const deadline = Date.now() + 5000;
    while (!messages().some((m) => m.startsWith('redis connected')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  });
  afterAll(async () => {
    await stack?.close();
    await redis?.close();
  });

  /** A catalogue read and the dashboard: both answer in full, and quickly. */
  async function servesInFull(): Promise<number> {
    const started = performance.now();
    const [catalog, dashboard] = await Promise.all([stack.gql(CATALOG), stack.gql(DashboardDocument, {}, { token: stack.tokenFor(5) })]);
    expect(catalog.body.errors).toBeUndefined();
    expect(dashboard.body.errors).toBeUndefined();
    return performance.now() - started;
  }

  it('should share through Redis while it is up', async () => {
    await servesInFull();
    expect((await redis.admin.keys('flecs-graph:public:*')).length).toBeGreaterThan(0);
  });

  it('should miss, not fail, when Redis is flushed mid-run, and store again', async () => {
    await redis.admin.flushall();
    await stack.resetStats();
    await servesInFull();
    expect((await stack.stats())['GET /api/v2/products']).toBeGreaterThan(0);
    expect((await redis.admin.keys('flecs-graph:public:*')).length).toBeGreaterThan(0);
  });

  it('should answer quickly while Redis is stalled, after REDIS_TIMEOUT_MS per command', async () => {
    await redis.admin.call('CLIENT', 'PAUSE', '1500', 'ALL');
    const elapsed = await servesInFull();
    // A stall would be a command queued until Redis returns (the test's timeout); the bound only
    // needs to tell that from a miss after REDIS_TIMEOUT_MS, with room for two busy cores.
    expect(elapsed).toBeLessThan(2000);
    await new Promise((r) => setTimeout(r, 1600));
  });

  it('should keep serving when Redis dies, stay ready, log the change once, and use Redis again once it is back', async () => {
    await redis.stop();
    for (let i = 0; i < 5; i += 1) expect(await servesInFull()).toBeLessThan(2000);
    const ready = await fetch(stack.gateway.url.replace(/\/graphql$/, '/readyz'));
    expect(ready.status).toBe(200);
    const noticed = Date.now() + 3000;
    while (!messages().some((m) => m.startsWith('redis unavailable')) && Date.now() < noticed) await new Promise((r) => setTimeout(r, 20));
    for (let i = 0; i < 3; i += 1) await servesInFull(); // more misses while it is away: still one log line
    expect(messages().filter((m) => m.startsWith('redis unavailable'))).toHaveLength(1);
    const metrics = await (await fetch(stack.gateway.metricsUrl)).text();
    expect(metrics).toMatch(/flecs_graph_redis_up 0/);
    expect(metrics).toMatch(/flecs_graph_redis_errors_total\{operation="read",kind="[a-z]+"\} [1-9]/);
    // A persisted query nobody registered, by hash alone: the APQ protocol's answer, not an error.
    const unknownHash = { persistedQuery: { version: 1, sha256Hash: 'f'.repeat(64) } };
    const apq = await fetch(`${stack.gateway.url}?extensions=${encodeURIComponent(JSON.stringify(unknownHash))}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(apq.status).toBe(200);
    expect(((await apq.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');

    await redis.restart();
    const deadline = Date.now() + 8000;
    while (messages().filter((m) => m.startsWith('redis connected')).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(messages().filter((m) => m.startsWith('redis connected'))).toHaveLength(2);
    await servesInFull();
    // A page not asked for before (the hot one may be answered whole from the answer cache, which
    // reads nothing from the public cache): its Console answer is stored in Redis again.
    const fresh = await stack.gql('{ catalog(storeId: 7, page: 3) { page items { id } } }');
    expect(fresh.body.errors).toBeUndefined();
    expect((await redis.admin.keys('flecs-graph:public:*')).length).toBeGreaterThan(0);
  }, 20_000);
});

suite('Redis unreachable from the start', () => {
  it('should start within its short wait, serve from the Console, and stay ready', async () => {
    const { freePort } = await import('../support/processes.js');
    const deadPort = await freePort(); // nothing listens there
    const started = performance.now();
    const stack = await startStack({ env: { REDIS_URL: `redis://127.0.0.1:${deadPort}`, REDIS_TIMEOUT_MS: '50' } });
    try {
      expect(performance.now() - started).toBeLessThan(4000);
      const res = await stack.gql(CATALOG);
      expect(res.body.errors).toBeUndefined();
      expect((await fetch(stack.gateway.url.replace(/\/graphql$/, '/readyz'))).status).toBe(200);
    } finally {
      await stack.close();
    }
  });
});
