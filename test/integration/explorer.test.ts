import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadGatewayConfig } from '../../src/config.js';
import { ConfigError } from '../../src/common/env.js';
import { landingPageHtml } from '../../src/explorer/landing-page.js';
import { startStack, type Stack } from '../support/stack.js';

/** The landing page's configuration, as the page's loader reads it. */
function pageConfig(html: string): { explorer: string; document: string; headers: Record<string, string>; local: { script: string; styles: string[] } | null } {
  const json = /<script type="application\/json" id="explorer-config">(.*?)<\/script>/s.exec(html)?.[1];
  if (!json) throw new Error('no explorer configuration in the page');
  return JSON.parse(json) as ReturnType<typeof pageConfig>;
}

async function landingPage(url: string): Promise<string> {
  const res = await fetch(url, { headers: { accept: 'text/html' } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/html/);
  return res.text();
}

describe('the explorer page and its files (GRAPHQL_SANDBOX on)', () => {
  let stack: Stack;
  let origin: string;
  beforeAll(async () => {
    stack = await startStack({
      env: { GRAPHQL_SANDBOX: 'true' },
      gateway: { sandboxOptions: { document: '{ catalog { page } }', headers: { Authorization: 'Bearer demo-token' } } },
    });
    origin = new URL(stack.gateway.url).origin;
  });
  afterAll(() => stack.close());

  it('should configure the Sandbox and the local fallback with the same document and headers', async () => {
    const config = pageConfig(await landingPage(stack.gateway.url));
    expect(config.explorer).toBe('sandbox');
    expect(config.document).toBe('{ catalog { page } }');
    expect(config.headers).toEqual({ Authorization: 'Bearer demo-token' });
    expect(config.local?.script).toMatch(/^\/explorer\/assets\/[\w-]+\.js$/);
    expect(config.local?.styles.length).toBeGreaterThan(0);
  });

  it('should serve the explorer files compressed, content-hashed and cached for a year, the same bytes in every encoding', async () => {
    const { local } = pageConfig(await landingPage(stack.gateway.url));
    const url = origin + local!.script;
    const plain = await fetch(url, { headers: { 'accept-encoding': 'identity' } });
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(plain.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(plain.headers.get('x-content-type-options')).toBe('nosniff');
    expect(plain.headers.get('vary')).toMatch(/Accept-Encoding/);
    expect(plain.headers.get('content-encoding')).toBeNull();
    const bytes = Buffer.from(await plain.arrayBuffer());
    expect(bytes.length).toBeGreaterThan(100_000);
    // fetch would decompress by itself: a raw request shows what travels.
    const raw = async (encoding: string) => {
      const { request } = await import('node:http');
      return new Promise<{ headers: Record<string, string | string[] | undefined>; body: Buffer }>((resolve, reject) => {
        request(url, { headers: { 'accept-encoding': encoding } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
        })
          .on('error', reject)
          .end();
      });
    };
    const br = await raw('gzip, deflate, br');
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.body.length).toBeLessThan(bytes.length / 3);
    expect(brotliDecompressSync(br.body).equals(bytes)).toBe(true);
    const gz = await raw('gzip');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).equals(bytes)).toBe(true);
    const css = await fetch(origin + local!.styles[0]);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it('should answer anything else under /explorer/assets/ with 404, and only GET or HEAD', async () => {
    const { local } = pageConfig(await landingPage(stack.gateway.url));
    for (const path of [
      '/explorer/assets/nothing.js',
      '/explorer/assets/../../package.json',
      '/explorer/assets/%2e%2e%2fpackage.json',
      '/explorer/.vite/manifest.json',
      '/explorer/assets/',
    ]) {
      const res = await fetch(origin + path);
      expect([path, res.status]).toEqual([path, 404]);
      expect(((await res.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0].extensions.code).toBe('NOT_FOUND');
    }
    const head = await fetch(origin + local!.script, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(0);
    const post = await fetch(origin + local!.script, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });
});

describe('the explorer with GRAPHQL_EXPLORER=graphiql, and with the Sandbox off', () => {
  it('should tell the page to open the local GraphiQL without trying the CDN', async () => {
    const stack = await startStack({ env: { GRAPHQL_SANDBOX: 'true', GRAPHQL_EXPLORER: 'graphiql' } });
    try {
      const html = await landingPage(stack.gateway.url);
      expect(pageConfig(html).explorer).toBe('graphiql');
    } finally {
      await stack.close();
    }
  });

  it('should serve neither the page nor its files when GRAPHQL_SANDBOX is off', async () => {
    const withSandbox = await startStack({ env: { GRAPHQL_SANDBOX: 'true' } });
    const script = pageConfig(await landingPage(withSandbox.gateway.url)).local!.script;
    await withSandbox.close();
    const stack = await startStack({ env: { GRAPHQL_SANDBOX: 'false' } });
    try {
      const origin = new URL(stack.gateway.url).origin;
      expect((await fetch(origin + script)).status).toBe(404);
      const page = await fetch(stack.gateway.url, { headers: { accept: 'text/html' } });
      expect(await page.text()).not.toContain('explorer-config');
    } finally {
      await stack.close();
    }
  });

  it('should refuse an unknown GRAPHQL_EXPLORER at start, naming the choices', () => {
    expect(() => loadGatewayConfig({ GRAPHQL_EXPLORER: 'playground' })).toThrow(ConfigError);
    expect(() => loadGatewayConfig({ GRAPHQL_EXPLORER: 'playground' })).toThrow(/sandbox.*graphiql/);
  });
});

describe('the landing page text', () => {
  it('should keep a document or header that holds </script> inside its JSON', () => {
    const html = landingPageHtml({
      explorer: 'sandbox',
      assets: undefined,
      apolloServerVersion: '@apollo/server@5',
      document: '# </script><script>alert(1)</script>\n{ catalog { page } }',
      headers: { 'x-note': '<!-- & \u2028' },
    });
    expect(html).not.toContain('<script>alert(1)');
    expect(html).not.toContain('<!--');
    const config = pageConfig(html);
    expect(config.document).toBe('# </script><script>alert(1)</script>\n{ catalog { page } }');
    expect(config.headers['x-note']).toBe('<!-- & \u2028');
    expect(config.local).toBeNull();
  });
});
