/**
 * The floor: the least a server can do for each benchmark case. A bare node:http handler that
 * makes the same Console calls as the gateway, with the same dependency structure and the same
 * keep-alive settings, parses the answers and returns them combined as JSON. No GraphQL, no
 * mapping, no validation, no logging. Run by `npm run bench` as its own process:
 *   FLOOR_PORT=… CONSOLE_URL=… node --import @swc-node/register/esm-register test/bench/floor-server.ts
 */
import http from 'node:http';

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
            reject(error as Error);
          }
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

type Products = { products?: Array<{ id: number; store?: { id: number } }> };
type Subscriptions = { subscriptions?: Array<{ line_items?: Array<{ product_id: number }> }> };

function productIdsOf(subs: Subscriptions): Set<number> {
  return new Set((subs.subscriptions ?? []).flatMap((s) => (s.line_items ?? []).map((li) => li.product_id)));
}

/** Own products first, the catalogue only for ids still missing: as the gateway's loader does. */
async function lineItemProducts(subs: Subscriptions, own: Promise<Answer>): Promise<Map<number, { id: number; store?: { id: number } }>> {
  const wanted = productIdsOf(subs);
  const found = new Map(((await own).data as Products).products?.map((p) => [p.id, p]) ?? []);
  if ([...wanted].some((id) => !found.has(id))) {
    for (const p of ((await call('GET', '/api/v2/products')).data as Products).products ?? []) if (!found.has(p.id)) found.set(p.id, p);
  }
  return found;
}

const CASES: Record<string, (auth: string | undefined) => Promise<unknown>> = {
  async '/dashboard'(auth) {
    const own = call('GET', '/api/v2/my/products', auth);
    const [products, apps, subs] = await Promise.all([own, call('GET', '/api/v2/my/products/apps', auth), call('GET', '/api/v2/my/subscriptions', auth)]);
    const found = await lineItemProducts(subs.data as Subscriptions, own);
    return { products: products.data, apps: apps.data, subscriptions: subs.data, lineItemProducts: [...found.keys()].length };
  },
  async '/catalog'() {
    return (await call('GET', '/api/v2/products?store_id=2&page=1')).data;
  },
  async '/login'() {
    return (await call('POST', '/api/v2/auth/login', undefined, { username: 'demo', password: 'password', issueJWT: true })).data;
  },
  async '/nested'(auth) {
    const subs = await call('GET', '/api/v2/my/subscriptions', auth);
    const found = await lineItemProducts(subs.data as Subscriptions, call('GET', '/api/v2/my/products', auth));
    const stores = new Set([...productIdsOf(subs.data as Subscriptions)].map((id) => found.get(id)?.store?.id).filter((id): id is number => id !== undefined));
    const catalogs = await Promise.all([...stores].map((id) => call('GET', `/api/v2/products?store_id=${id}`)));
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
        const body = JSON.stringify({ data });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
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
