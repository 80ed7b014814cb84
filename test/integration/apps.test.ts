import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { AppDetailDocument, CatalogAppsDocument, MyAppsLatestDocument, ReviewAppDocument } from '../generated/graphql.js';
import { STORES, isApp, publicCatalogue } from '../../src/simulator/catalogue.js';
import type { SimProduct } from '../../src/simulator/rest-records.js';
import { codesByPath, startStack, type Stack } from '../support/stack.js';

/** Typed app details, an app by its FLECS id, app reviews, and the Cache-Control a CDN can use. */
let stack: Stack;
/** demo's token, verified by the gateway before the cases count Console calls. */
let demo: string;
beforeAll(async () => {
  stack = await startStack();
  demo = await stack.returningUser(0);
});
afterAll(async () => stack.close());

/**
 * The oracle, written from the simulator's records by the README's rules ("What the mapping
 * tolerates … what it refuses"), independently of the gateway's mapper: names in any case, meta
 * `key` or `name`; versions with a `v` prefix or a pre-release suffix, each once, newest first as
 * numbers, a release above its own pre-releases, `latest` dropped; blank strings and non-http(s)
 * URLs dropped; custom links as an array, an object or one string. The simulator produces each of
 * these quirks (src/simulator/app-facts.ts), and the literal cases below pin one app of each.
 */
function expectedApp(p: SimProduct) {
  const attribute = (name: string) => p.attributes.find((a) => a.name.toLowerCase() === name)?.options ?? [];
  const meta = (name: string) => p.meta_data.find((m) => (m.key ?? m.name) === name)?.value;
  const parse = (v: string) => {
    const m = /^v?(\d+(?:\.\d+)*)(-.+)?$/.exec(v);
    return m ? { v, numbers: m[1].split('.').map(Number), pre: m[2] !== undefined } : undefined;
  };
  const versions = [...new Set(attribute('versions'))]
    .map(parse)
    .filter((x) => x !== undefined)
    .sort((a, b) => {
      for (let i = 0; i < Math.max(a.numbers.length, b.numbers.length); i += 1) {
        if ((a.numbers[i] ?? 0) !== (b.numbers[i] ?? 0)) return (b.numbers[i] ?? 0) - (a.numbers[i] ?? 0);
      }
      return Number(a.pre) - Number(b.pre);
    })
    .map((x) => x.v);
  const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);
  const web = (v: unknown) => (text(v) !== null && /^https?:\/\//.test(text(v)!) ? text(v) : null);
  const links = meta('app-custom-link');
  const linkList = typeof links === 'string' ? [links] : Array.isArray(links) ? links : links && typeof links === 'object' ? Object.values(links) : [];
  return {
    reverseDomainName: attribute('reverse-domain-name')[0],
    versions,
    latestVersion: versions[0] ?? null,
    architectures: attribute('archs'),
    blacklist: attribute('blacklist'),
    iconUrl: web(meta('app-icon'))?.replace(/^http:/, 'https:') ?? null,
    author: text(meta('port-author-name')),
    portVersion: text(meta('port-version')),
    documentationUrl: web(meta('_documentation_url')),
    customLinks: linkList.map(web).filter((l) => l !== null),
  };
}

describe("Product.app on the odd records, values written out by hand from the README's rules", () => {
  const app = (reverseDomainName: string) => ({ reverseDomainName });
  it.each([
    [
      'pre-releases, attribute names in capitals, links as an object',
      1,
      'tech.flecs.modbus-bridge-1455',
      {
        ...app('tech.flecs.modbus-bridge-1455'),
        versions: ['1.9.0-rc.1', '1.8.1', '1.8.1-beta.2', '1.7.0', '1.6.3', '0.0.9'],
        latestVersion: '1.9.0-rc.1',
        architectures: ['amd64'],
        blacklist: [],
        iconUrl: 'https://flecs.tech/wp-content/uploads/icons/tech.flecs.modbus-bridge-1455.png',
        author: 'FLECS',
        portVersion: '1.0',
        documentationUrl: 'https://docs.example/tech.flecs.modbus-bridge-1455',
        customLinks: ['https://support.example/tech.flecs.modbus-bridge-1455'],
      },
    ],
    [
      'one link as a plain string, an http icon, 1.14.0 above 1.6.1, no author or documentation',
      2,
      'example.edge-apps.mqtt-broker-1480',
      {
        ...app('example.edge-apps.mqtt-broker-1480'),
        versions: ['1.14.0', '1.6.1', '1.5.0', '1.4.0', '0.0.9'],
        latestVersion: '1.14.0',
        architectures: ['amd64', 'arm64', 'armhf'],
        blacklist: [],
        iconUrl: 'https://flecs.tech/wp-content/uploads/icons/example.edge-apps.mqtt-broker-1480.png',
        author: null,
        portVersion: '2.0',
        documentationUrl: null,
        customLinks: ['https://chat.example/example.edge-apps.mqtt-broker-1480'],
      },
    ],
    [
      'an ftp: documentation URL (refused), links as an array',
      2,
      'example.edge-apps.codesys-runtime-1506',
      {
        ...app('example.edge-apps.codesys-runtime-1506'),
        versions: ['1.5.1', '1.4.0', '1.3.2', '0.1.9'],
        latestVersion: '1.5.1',
        architectures: ['amd64', 'arm64', 'armhf'],
        blacklist: [],
        iconUrl: 'https://flecs.tech/wp-content/uploads/icons/example.edge-apps.codesys-runtime-1506.png',
        author: null,
        portVersion: '1.0',
        documentationUrl: null,
        customLinks: ['https://forum.example/example.edge-apps.codesys-runtime-1506', 'https://github.example/example.edge-apps.codesys-runtime-1506'],
      },
    ],
    [
      'a blank author (refused), meta keyed `key`, a blacklist',
      1,
      'tech.flecs.plc-connector-1223',
      {
        ...app('tech.flecs.plc-connector-1223'),
        versions: ['1.10.1', '1.9.0', '1.8.3', '0.3.9'],
        latestVersion: '1.10.1',
        architectures: ['amd64'],
        blacklist: ['armhf'],
        iconUrl: 'https://flecs.tech/wp-content/uploads/icons/tech.flecs.plc-connector-1223.png',
        author: null,
        portVersion: '3.0',
        documentationUrl: 'https://docs.example/tech.flecs.plc-connector-1223',
        customLinks: ['https://support.example/tech.flecs.plc-connector-1223'],
      },
    ],
  ])('should map %s', async (_what, storeId, name, expected) => {
    const res = await stack.gql(AppDetailDocument, { reverseDomainName: name, storeId });
    expect(res.body.errors).toBeUndefined();
    expect((res.body.data as { app: { app: unknown } }).app.app).toEqual(expected);
  });
});

describe('Product.app', () => {
  it.each(STORES.map((s) => s.id))('should map every app of store %p value by value, and give null for products that are no apps', async (storeId) => {
    const res = await stack.gql(CatalogAppsDocument, { storeId });
    expect(res.body.errors).toBeUndefined();
    const apps = publicCatalogue(storeId).filter(isApp);
    expect(res.body.data!.appCatalog!.items).toEqual(apps.map((p) => ({ id: p.id, app: expectedApp(p) })));
    const page = await stack.gql('query($s: Int) { catalog(storeId: $s) { items { id app { reverseDomainName } } } }', { s: storeId });
    const plain = (page.body.data as { catalog: { items: Array<{ id: number; app: unknown }> } }).catalog.items.filter((i) => !apps.some((a) => a.id === i.id));
    expect(plain.length).toBeGreaterThan(0);
    for (const item of plain) expect(item.app).toBeNull();
  });

  it("should show the caller's apps with their latest version", async () => {
    const demo = stack.sim.console.userData(0);
    const res = await stack.gql(MyAppsLatestDocument, { page: 1 }, { token: stack.tokenFor(0) });
    expect(res.body.data!.me!.apps!.items).toEqual(
      demo.apps.slice(0, 10).map((p) => {
        const app = expectedApp(p);
        return { id: p.id, name: p.name, app: { reverseDomainName: app.reverseDomainName, latestVersion: app.latestVersion, iconUrl: app.iconUrl } };
      }),
    );
  });
});

describe('Query.app', () => {
  const sample = publicCatalogue(1).filter(isApp)[3];
  const other = publicCatalogue(12).filter(isApp)[5];

  it('should find an app of the default store by its reverse-domain name, in any case, and in another store with storeId', async () => {
    const name = expectedApp(sample).reverseDomainName;
    for (const variant of [name, name.toUpperCase()]) {
      const res = await stack.gql(AppDetailDocument, { reverseDomainName: variant });
      expect(res.body.data!.app).toMatchObject({ id: sample.id, name: sample.name, store: { id: 1 }, app: expectedApp(sample) });
    }
    const elsewhere = await stack.gql(AppDetailDocument, { reverseDomainName: expectedApp(other).reverseDomainName, storeId: 12 });
    expect(elsewhere.body.data!.app).toMatchObject({ id: other.id, store: { id: 12 } });
    const notInDefault = await stack.gql(AppDetailDocument, { reverseDomainName: expectedApp(other).reverseDomainName });
    expect(notInDefault.body).toEqual({ data: { app: null } });
  });

  it('should answer null for an unknown name, BAD_USER_INPUT for a malformed one, and cost one call cold and none warm', async () => {
    const fresh = await startStack();
    try {
      expect((await fresh.gql(AppDetailDocument, { reverseDomainName: 'tech.flecs.does-not-exist' })).body).toEqual({ data: { app: null } });
      expect(await fresh.stats()).toEqual({ 'GET /api/v2/products/apps': 1 });
      await fresh.resetStats();
      await fresh.gql(AppDetailDocument, { reverseDomainName: expectedApp(sample).reverseDomainName });
      expect(await fresh.stats()).toEqual({});
      for (const bad of ['', 'no-dots', 'a..b', 'x'.repeat(300) + '.a', 'tech.flecs.<script>']) {
        expect(codesByPath((await fresh.gql(AppDetailDocument, { reverseDomainName: bad })).body)).toEqual({ app: 'BAD_USER_INPUT' });
      }
      expect(await fresh.stats()).toEqual({});
    } finally {
      await fresh.close();
    }
  });
});

describe('Mutation.reviewApp', () => {
  const app = publicCatalogue(2).filter(isApp)[0];
  const input = {
    productId: app.id,
    rating: 4,
    review: 'Runs well on our edge boxes.\nEasy to set up.',
    reviewer: 'Demo User',
    reviewerEmail: 'demo@example.com',
  };

  it("should post the review once, with the caller's token as jwt and the right fields, and return what the Console recorded", async () => {
    await stack.resetStats();
    const before = stack.sim.console.reviews.length;
    const res = await stack.gql(ReviewAppDocument, { input }, { token: demo });
    expect(res.body.errors).toBeUndefined();
    expect(await stack.stats()).toEqual({ 'POST /api/v2/products/apps/reviews': 1 });
    const recorded = stack.sim.console.reviews.slice(before);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ product_id: app.id, rating: 4, review: input.review, reviewer: 'Demo User', reviewer_email: 'demo@example.com' });
    expect(res.body.data!.reviewApp).toEqual({
      id: recorded[0].id,
      productId: app.id,
      createdAt: `${recorded[0].date_created_gmt as string}.000Z`,
      status: 'hold',
      rating: 4,
      review: input.review,
      reviewer: 'Demo User',
      productName: app.name,
      verified: recorded[0].verified,
    });
  });

  it.each([
    ['a rating of 0', { rating: 0 }, 'input.rating'],
    ['a rating of 6', { rating: 6 }, 'input.rating'],
    ['an empty review', { review: '   ' }, 'input.review'],
    ['a 5001-character review', { review: 'x'.repeat(5001) }, 'input.review'],
    ['a review with control characters', { review: 'ok\u0000\u001b[31m' }, 'input.review'],
    ['an empty reviewer', { reviewer: '' }, 'input.reviewer'],
    ['a malformed e-mail', { reviewerEmail: 'demo at example' }, 'input.reviewerEmail'],
    ['a product id of 0', { productId: 0 }, 'input.productId'],
  ])('should refuse %s with BAD_USER_INPUT naming the field, before any call', async (_name, change, argument) => {
    await stack.resetStats();
    const res = await stack.gql(ReviewAppDocument, { input: { ...input, ...change } }, { token: demo });
    expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument });
    expect(res.body.data).toEqual({ reviewApp: null });
    expect(await stack.stats()).toEqual({});
  });

  it('should refuse a caller without a token with UNAUTHENTICATED, before any call', async () => {
    await stack.resetStats();
    expect(codesByPath((await stack.gql(ReviewAppDocument, { input })).body)).toEqual({ reviewApp: 'UNAUTHENTICATED' });
    expect(await stack.stats()).toEqual({});
  });

  it.each([
    ['502', { status: 502 }, 'UPSTREAM_ERROR'],
    ['503', { status: 503 }, 'UPSTREAM_ERROR'],
    ['a reset', { mode: 'reset' }, 'UPSTREAM_UNAVAILABLE'],
    ['a 403', { status: 403 }, 'UNAUTHENTICATED'],
    ['a 400', { status: 400 }, 'BAD_USER_INPUT'],
  ])('should send it exactly once when the Console answers %s (no retry), and say so with %s', async (_name, fault, code) => {
    await stack.resetStats();
    await stack.fault('POST /api/v2/products/apps/reviews', fault);
    try {
      const res = await stack.gql(ReviewAppDocument, { input }, { token: demo });
      expect(codesByPath(res.body)).toEqual({ reviewApp: code });
      expect(await stack.stats()).toEqual({ 'POST /api/v2/products/apps/reviews': 1 });
    } finally {
      await stack.clearFaults();
    }
  });

  it('should refuse a review of a product that is no app with BAD_USER_INPUT (the Console answers 400)', async () => {
    const notApp = publicCatalogue(2).find((p) => !isApp(p))!;
    const res = await stack.gql(ReviewAppDocument, { input: { ...input, productId: notApp.id } }, { token: demo });
    expect(codesByPath(res.body)).toEqual({ reviewApp: 'BAD_USER_INPUT' });
  });
});

describe('Cache-Control', () => {
  const cacheControl = async (query: string, headers: Record<string, string> = {}) =>
    (await fetch(stack.gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) })).headers;

  it.each([
    ['the public catalogue', '{ catalog { page } }'],
    ["an app by name with its store's catalogue", `{ app(reverseDomainName: "x.y.z") { id } appCatalog { total } }`],
    ['a product by id, in a fragment', '{ ...P } fragment P on Query { product(id: 1201) { id } }'],
  ])("should make %s without a token public for the public cache's TTL", async (_name, query) => {
    const headers = await cacheControl(query);
    expect(headers.get('cache-control')).toBe('public, max-age=60');
    expect(headers.get('vary')).toMatch(/Authorization/);
  });

  it.each([
    ['a public query sent with a token', '{ catalog { page } }', { authorization: 'Bearer abc' }],
    ['me', '{ me { products { page } } }', {}],
    ['validateToken', '{ validateToken(token: "abc") { isValid } }', {}],
    ['a mutation', 'mutation { login(username: "demo", password: "nope") { token } }', {}],
    ['a public query that failed', '{ catalog(page: 0) { page } }', {}],
    ['public and private fields together', '{ catalog { page } me { apps { page } } }', {}],
  ])('should make %s private, no-store', async (_name, query, headers) => {
    expect((await cacheControl(query, headers)).get('cache-control')).toBe('private, no-store');
  });

  it('should serve a persisted public query over GET with a public Cache-Control, as a CDN needs', async () => {
    const query = '{ catalog(storeId: 3) { totalPages } }';
    const extensions = { persistedQuery: { version: 1, sha256Hash: createHash('sha256').update(query).digest('hex') } };
    await fetch(stack.gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, extensions }) });
    const res = await fetch(`${stack.gateway.url}?extensions=${encodeURIComponent(JSON.stringify(extensions))}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=60');
    expect(await res.json()).toEqual({ data: { catalog: { totalPages: 4 } } });
  });

  it('should tag a public GET answer with a weak ETag and answer 304 without a body when the client already has it', async () => {
    const url = `${stack.gateway.url}?query=${encodeURIComponent('{ catalog(storeId: 2) { page items { id name description shortDescription } } }')}`;
    const get = (headers: Record<string, string> = {}) => fetch(url, { headers: { 'apollo-require-preflight': 'true', ...headers } });
    const first = await get();
    const etag = first.headers.get('etag');
    const body = await first.text();
    expect(first.status).toBe(200);
    expect(etag).toMatch(/^W\/"[A-Za-z0-9_-]{27}"$/);

    for (const ifNoneMatch of [etag!, `"other", ${etag}`, etag!.slice(2), '*']) {
      const again = await get({ 'if-none-match': ifNoneMatch, 'accept-encoding': 'gzip' });
      expect([again.status, await again.text()]).toEqual([304, '']);
      expect(again.headers.get('etag')).toBe(etag);
      expect(again.headers.get('cache-control')).toBe('public, max-age=60');
      expect(again.headers.get('vary')).toMatch(/Authorization.*Accept-Encoding|Accept-Encoding.*Authorization/);
    }
    // Another tag, or the same answer compressed: the whole body, with the same tag.
    const changed = await get({ 'if-none-match': 'W/"something-else"' });
    expect([changed.status, await changed.text()]).toEqual([200, body]);
    const gzipped = await get({ 'accept-encoding': 'gzip' });
    expect(gzipped.headers.get('content-encoding')).toBe('gzip');
    expect(gzipped.headers.get('etag')).toBe(etag);
    expect(await gzipped.text()).toBe(body);
  });

  it.each([
    [
      'a POST',
      () =>
        fetch(stack.gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ catalog { page } }' }) }),
    ],
    [
      'a GET sent with a token',
      () =>
        fetch(`${stack.gateway.url}?query=${encodeURIComponent('{ catalog { page } }')}`, {
          headers: { 'apollo-require-preflight': 'true', authorization: `Bearer ${stack.tokenFor(1)}` },
        }),
    ],
    [
      'a GET of private data',
      () =>
        fetch(`${stack.gateway.url}?query=${encodeURIComponent('{ me { products { page } } }')}`, {
          headers: { 'apollo-require-preflight': 'true', 'if-none-match': '*' },
        }),
    ],
  ])('should give %s no ETag and never a 304', async (_name, send) => {
    const res = await send();
    expect(res.status).not.toBe(304);
    expect(res.headers.get('etag')).toBeNull();
  });
});
