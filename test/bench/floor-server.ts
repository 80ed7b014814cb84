/**
 * The floor: the least a server can do for each benchmark case. A bare node:http handler that
 * makes the same Console calls as the gateway, with the same dependency structure and the same
 * keep-alive settings, parses the answers and returns them combined as JSON. No GraphQL, no
 * mapping, no validation, no logging. Run by `npm run bench` as its own process:
 *   FLOOR_PORT=… CONSOLE_URL=… node --experimental-strip-types test/bench/floor-server.ts
 */
import http from 'node:http';
import { gzipSync } from 'node:zlib';

const consoleUrl = new URL(process.env.CONSOLE_URL ?? 'http://127.0.0.1:4010');
const agent = new http.Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 64 });

interface Answer {
  data: Record<string, unknown>;
}

function call(method: string, path: string, authorization?: string, body?: unknown): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      {
        host: consoleUrl.hostname,
        port: consoleUrl.port,
        method,
        path,
        agent,
        headers: {
          accept: 'application/json',
          ...(authorization ? { authorization } : {}),
          ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Answer);
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

type Product = { id: number; store?: { id: number } };
type Page = { page?: number; totalPages?: number; products?: Product[] };
type Subscriptions = { subscriptions?: Array<{ line_items?: Array<{ product_id: number }> }> };

function productIdsOf(subs: Subscriptions): Set<number> {
  return new Set((subs.subscriptions ?? []).flatMap((s) => (s.line_items ?? []).map((li) => li.product_id)));
}

/**
 * The same public cache as the gateway's default (in process, 60 s fresh, in-flight calls
 * shared): public catalogue pages only, never anything sent with a token.
 */
const PUBLIC_TTL_MS = 60_000;
const publicPages = new Map<string, { at: number; value: Promise<Answer> }>();
function publicCall(path: string): Promise<Answer> {
  const hit = publicPages.get(path);
  if (hit && Date.now() - hit.at < PUBLIC_TTL_MS) return hit.value;
  const value = call('GET', path);
  publicPages.set(path, { at: Date.now(), value });
  value.catch(() => publicPages.delete(path));
  return value;
}
const peekPublic = (path: string): Promise<Answer> | undefined => {
  const hit = publicPages.get(path);
  return hit && Date.now() - hit.at < PUBLIC_TTL_MS ? hit.value : undefined;
};
const knownStores = new Set<number>();

/**
 * The product search the gateway must make for the same answer: what the public cache holds,
 * then every page of the caller's products and apps, then every page of every known store's
 * catalogue, each list page 1 first and its later pages in parallel, only while ids are missing.
 */
async function lineItemProducts(subs: Subscriptions, auth: string | undefined, own: Map<string, Promise<Answer>>): Promise<Map<number, Product>> {
  const wanted = productIdsOf(subs);
  const found = new Map<number, Product>();
  const missing = () => found.size < wanted.size;
  const take = (answer: Answer | undefined) => {
    for (const p of (answer?.data as Page | undefined)?.products ?? []) {
      if (p.store) knownStores.add(p.store.id);
      if (wanted.has(p.id) && !found.has(p.id)) found.set(p.id, p);
    }
  };
  const withPage = (path: string, n: number) => (n === 1 ? path : `${path}${path.includes('?') ? '&' : '?'}page=${n}`);
  const catalogues = () => ['/api/v2/products', ...[...knownStores].filter((id) => id !== 1).map((id) => `/api/v2/products?store_id=${id}`)];
  const search = async (paths: string[], read: (path: string) => Promise<Answer> | undefined) => {
    if (!missing()) return;
    const firsts = await Promise.all(paths.map((p) => read(p) ?? Promise.resolve(undefined)));
    firsts.forEach(take);
    if (!missing()) return;
    const later: Array<Promise<Answer | undefined>> = [];
    paths.forEach((p, i) => {
      const total = (firsts[i]?.data as Page | undefined)?.totalPages ?? 1;
      for (let n = 2; n <= Math.min(total, 20); n += 1) later.push(read(withPage(p, n)) ?? Promise.resolve(undefined));
    });
    (await Promise.all(later)).forEach(take);
  };
  await search(catalogues(), peekPublic);
  const mine = (path: string) => {
    let pending = own.get(path);
    if (!pending) own.set(path, (pending = call('GET', path, auth)));
    return pending;
  };
  await search(['/api/v2/my/products', '/api/v2/my/products/apps'], mine);
  await search(catalogues(), publicCall);
  return found;
}

const CASES: Record<string, (auth: string | undefined) => Promise<unknown>> = {
  async '/dashboard'(auth) {
    const own = new Map<string, Promise<Answer>>();
    own.set('/api/v2/my/products', call('GET', '/api/v2/my/products', auth));
    own.set('/api/v2/my/products/apps', call('GET', '/api/v2/my/products/apps', auth));
    const [products, apps, subs] = await Promise.all([
      own.get('/api/v2/my/products')!,
      own.get('/api/v2/my/products/apps')!,
      call('GET', '/api/v2/my/subscriptions', auth),
    ]);
    const found = await lineItemProducts(subs.data, auth, own);
    return { products: products.data, apps: apps.data, subscriptions: subs.data, lineItemProducts: [...found.values()] };
  },
  async '/lineitems'(auth) {
    const subs = await call('GET', '/api/v2/my/subscriptions', auth);
    const found = await lineItemProducts(subs.data, auth, new Map());
    return { subscriptions: subs.data, lineItemProducts: [...found.values()] };
  },
  async '/catalog'() {
    return (await publicCall('/api/v2/products?store_id=2&page=1')).data;
  },
  async '/login'() {
    return (await call('POST', '/api/v2/auth/login', undefined, { username: 'demo', password: 'password', issueJWT: true })).data;
  },
  async '/nested'(auth) {
    const subs = await call('GET', '/api/v2/my/subscriptions', auth);
    const found = await lineItemProducts(subs.data, auth, new Map());
    const stores = new Set([...found.values()].map((p) => p.store?.id).filter((id): id is number => id !== undefined));
    const catalogs = await Promise.all([...stores].map((id) => publicCall(`/api/v2/products?store_id=${id}`)));
    return { subscriptions: subs.data, catalogs: catalogs.map((c) => c.data) };
  },
};

const server = http.createServer((req, res) => {
  const handler = CASES[req.url ?? ''];
  req.resume();
  req.on('end', () => {
    if (!handler) {
      res.writeHead(404).end();
      return;
    }
    handler(req.headers.authorization).then(
      (data) => {
        const text = JSON.stringify({ data });
        // Compressed as the gateway does (gzip level 6) when the client asks for it.
        const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
        const body = gzip ? gzipSync(text, { level: 6 }) : text;
        res
          .writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...(gzip ? { 'content-encoding': 'gzip' } : {}) })
          .end(body);
      },
      () => res.writeHead(502).end(),
    );
  });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.FLOOR_PORT ?? 0), '127.0.0.1', () => {
  console.log(`floor listening on ${(server.address() as { port: number }).port}`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
