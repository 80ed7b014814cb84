import { describe, expect, it } from '@jest/globals';
import { APOLLO_SANDBOX_ORIGINS, loadGatewayConfig } from '../../src/config.js';

describe('loadGatewayConfig', () => {
  it('should apply the documented defaults', () => {
    const config = loadGatewayConfig({});
    expect(config.consoleUrl.href).toBe('https://console.flecs.tech/');
    expect(config).toMatchObject({ port: 4000, host: '0.0.0.0', upstreamTimeoutMs: 10_000, logLevel: 'info', nodeEnv: 'development', sandbox: true });
    expect(config.corsOrigins).toEqual([...APOLLO_SANDBOX_ORIGINS, 'localhost']);
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
    [{ CONSOLE_MAX_CONNECTIONS: '0' }, /^CONSOLE_MAX_CONNECTIONS/],
    [{ DOCUMENT_CACHE_MAX_BYTES: 'lots' }, /^DOCUMENT_CACHE_MAX_BYTES/],
  ])('should refuse %p with a message naming the variable', (env, message) => {
    expect(() => loadGatewayConfig(env)).toThrow(message);
  });
});
