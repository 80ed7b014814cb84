import { describe, expect, it } from '@jest/globals';
import { APOLLO_SANDBOX_ORIGINS, loadGatewayConfig } from '../../src/config.js';

/** What loading `env` says is wrong with it ('' when it loads). */
function messageOf(env: Record<string, string>): string {
  try {
    loadGatewayConfig(env);
    return '';
  } catch (error) {
    return (error as Error).message;
  }
}

describe('loadGatewayConfig', () => {
  it('should apply the documented defaults', () => {
    const config = loadGatewayConfig({});
    expect(config.consoleUrl.href).toBe('https://console.flecs.tech/');
    expect(config).toMatchObject({ port: 4000, host: '0.0.0.0', upstreamTimeoutMs: 10_000, logLevel: 'info', nodeEnv: 'development', sandbox: true });
    expect(config.corsOrigins).toEqual([...APOLLO_SANDBOX_ORIGINS, 'localhost']);
    // No probe listener of its own unless PROBE_PORT is set (0: any free port).
    expect(config.probePort).toBeUndefined();
    expect(loadGatewayConfig({ PROBE_PORT: ' ' }).probePort).toBeUndefined();
    expect(loadGatewayConfig({ PROBE_PORT: '0' }).probePort).toBe(0);
  });

  it('should read CONSOLE_STORE_IDS in the order given, spaces allowed, and none when unset or empty', () => {
    expect(loadGatewayConfig({ CONSOLE_STORE_IDS: ' 12, 2 ,7' }).lookup.storeIds).toEqual([12, 2, 7]);
    expect(loadGatewayConfig({}).lookup.storeIds).toEqual([]);
    expect(loadGatewayConfig({ CONSOLE_STORE_IDS: '' }).lookup.storeIds).toEqual([]);
  });

  it('should refuse a malformed REDIS_URL without repeating the password it holds', () => {
    for (const url of ['redis://:s3cr3t-pw@cache:notaport', 'http://user:s3cr3t-pw@cache:6379', 'redis://user:s3cr3t-pw@']) {
      let message = '';
      try {
        loadGatewayConfig({ REDIS_URL: url });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/^REDIS_URL/);
      expect(message).not.toContain('s3cr3t');
    }
  });

  it('should read REDIS_MODE, several REDIS_URL entries, the sentinel name and a TLS CA file, and say what is wrong with each bad combination', () => {
    const cluster = loadGatewayConfig({ REDIS_MODE: 'cluster', REDIS_URL: 'redis://u:p%40ss@a:7000, redis://u:p%40ss@b:7001' }).publicCache.redis!;
    expect(cluster.mode).toBe('cluster');
    expect(cluster.urls.map((u) => u.host)).toEqual(['a:7000', 'b:7001']);
    const sentinel = loadGatewayConfig({ REDIS_MODE: 'sentinel', REDIS_URL: 'redis://s1:26379,redis://s2:26379', REDIS_SENTINEL_NAME: 'mymaster' }).publicCache
      .redis!;
    expect(sentinel).toMatchObject({ mode: 'sentinel', sentinelName: 'mymaster' });
    expect(loadGatewayConfig({ REDIS_URL: 'redis://cache:6379' }).publicCache.redis?.mode).toBe('standalone');
    expect(loadGatewayConfig({}).publicCache.redis).toBeUndefined();
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ REDIS_URL: 'redis://:s3cr3t-pw@a:1,redis://:s3cr3t-pw@b:2' }, /lists 2 servers: set REDIS_MODE=cluster .* or REDIS_MODE=sentinel/],
      [{ REDIS_MODE: 'sentinel', REDIS_URL: 'redis://s1:26379' }, /REDIS_MODE=sentinel needs REDIS_SENTINEL_NAME/],
      [{ REDIS_MODE: 'cluster', REDIS_URL: 'redis://a:7000/3' }, /only database 0/],
      [{ REDIS_MODE: 'clustered', REDIS_URL: 'redis://a:7000' }, /REDIS_MODE must be one of standalone, cluster, sentinel/],
      [{ REDIS_MODE: 'cluster', REDIS_URL: 'redis://a:1,rediss://b:2' }, /mixes redis:\/\/ and rediss:\/\//],
      [{ REDIS_URL: 'redis://a:1', REDIS_TLS_CA_FILE: '/etc/hosts' }, /only read with rediss:\/\//],
      [{ REDIS_URL: 'rediss://a:1', REDIS_TLS_CA_FILE: '/nonexistent/ca.pem' }, /REDIS_TLS_CA_FILE \/nonexistent\/ca.pem cannot be read: ENOENT/],
      [{ REDIS_URL: 'rediss://a:1', REDIS_TLS_CA_FILE: 'package.json' }, /holds no PEM certificate/],
      [{ REDIS_SENTINEL_NAME: 'mymaster' }, /REDIS_SENTINEL_NAME is set but REDIS_URL is not/],
      [{ REDIS_URL: 'redis://a:1', REDIS_SENTINEL_NAME: 'mymaster' }, /only read with REDIS_MODE=sentinel/],
      [{ REDIS_MODE: 'cluster', REDIS_URL: 'redis://a:1,redis://:s3cr3t-pw@b:notaport' }, /^REDIS_URL \(entry 2\)/],
    ];
    for (const [env, expected] of cases) {
      const message = messageOf(env);
      expect(message).toMatch(expected);
      expect(message).not.toContain('s3cr3t');
    }
  });

  it('should turn the Sandbox and CORS off by default in production', () => {
    const config = loadGatewayConfig({ NODE_ENV: 'production' });
    expect(config.sandbox).toBe(false);
    expect(config.corsOrigins).toEqual([]);
    expect(loadGatewayConfig({ NODE_ENV: 'production', GRAPHQL_SANDBOX: 'true' }).sandbox).toBe(true);
  });

  it.each([
    [{ PORT: 'abc' }, /^PORT must be a whole number/],
    [{ PORT: '70000' }, /^PORT must be between 0 and 65535/],
    [{ UPSTREAM_TIMEOUT_MS: '0' }, /^UPSTREAM_TIMEOUT_MS/],
    [{ UPSTREAM_TIMEOUT_MS: '1.5' }, /^UPSTREAM_TIMEOUT_MS/],
    [{ CONSOLE_URL: 'console.flecs.tech' }, /^CONSOLE_URL must be an absolute/],
    [{ CONSOLE_URL: 'ftp://x' }, /^CONSOLE_URL must use http or https/],
    [{ CONSOLE_URL: 'https://user:pw@x' }, /^CONSOLE_URL must not hold credentials/],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL must be one of/],
    [{ NODE_ENV: 'staging' }, /^NODE_ENV must be one of/],
    [{ GRAPHQL_SANDBOX: 'maybe' }, /^GRAPHQL_SANDBOX must be true or false/],
    [{ CORS_ORIGINS: 'not an origin' }, /^CORS_ORIGINS entries/],
    [{ CONSOLE_STORE_IDS: '2,four,7' }, /^CONSOLE_STORE_IDS must be store ids .* \(got "four"\)/],
    [{ CONSOLE_STORE_IDS: '2,,7' }, /^CONSOLE_STORE_IDS must be store ids/],
    [{ CONSOLE_STORE_IDS: '0' }, /^CONSOLE_STORE_IDS must be store ids/],
    [{ CONSOLE_STORE_IDS: '2,7,2' }, /^CONSOLE_STORE_IDS names a store twice/],
    [{ TRUST_PROXY_HOPS: '-1' }, /^TRUST_PROXY_HOPS/],
    [{ METRICS_PORT: '99999' }, /^METRICS_PORT/],
    [{ PROBE_PORT: '99999' }, /^PROBE_PORT must be between 0 and 65535/],
    [{ PROBE_PORT: 'probes' }, /^PROBE_PORT must be a whole number/],
    [{ CONSOLE_MAX_CONNECTIONS: '0' }, /^CONSOLE_MAX_CONNECTIONS/],
    [{ DOCUMENT_CACHE_MAX_BYTES: 'lots' }, /^DOCUMENT_CACHE_MAX_BYTES/],
  ])('should refuse %p with a message naming the variable', (env, message) => {
    expect(() => loadGatewayConfig(env)).toThrow(message);
  });

  it('should refuse a short CURSOR_SECRET, or a previous one without a current one, without repeating them', () => {
    const secret = 'a'.repeat(40);
    expect(loadGatewayConfig({ CURSOR_SECRET: secret, CURSOR_SECRET_PREVIOUS: 'b'.repeat(40) }).cursorSecrets).toEqual({
      current: secret,
      previous: 'b'.repeat(40),
    });
    expect(loadGatewayConfig({}).cursorSecrets).toBeUndefined();
    expect(messageOf({ CURSOR_SECRET: 'short-secret' })).toMatch(/^CURSOR_SECRET must be at least 32 characters/);
    expect(messageOf({ CURSOR_SECRET: 'short-secret' })).not.toContain('short-secret');
    expect(messageOf({ CURSOR_SECRET: secret, CURSOR_SECRET_PREVIOUS: 'old' })).toMatch(/^CURSOR_SECRET_PREVIOUS must be at least 32/);
    expect(messageOf({ CURSOR_SECRET_PREVIOUS: secret })).toMatch(/CURSOR_SECRET_PREVIOUS is set but CURSOR_SECRET is not/);
  });
});
