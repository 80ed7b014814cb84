import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { join, relative, sep } from 'node:path';
import { findBuiltDirectory } from './common/built-directory.js';
import { contentTypeOf } from './http/content-types.js';

/** The example frontend, as `npm run example:build` left it, served by the demo on a port of its own. */
export interface DemoSite {
  url: string;
  close(): Promise<void>;
}

/** The built example (examples/web-dashboard/dist), or undefined when it was not built. */
export function findExampleSite(): string | undefined {
  return findBuiltDirectory(import.meta.url, ['../../examples/web-dashboard/dist/', '../examples/web-dashboard/dist/'], 'index.html');
}

/**
 * Serves the built files (read once; nothing outside the directory can be named) and a
 * `config.json` that points the page at this demo's gateway.
 */
export async function startDemoSite(directory: string, graphqlUrl: string, port: number, host: string): Promise<DemoSite> {
  const files = new Map<string, Buffer>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else files.set(`/${relative(directory, path).split(sep).join('/')}`, readFileSync(path));
    }
  };
  walk(directory);
  files.set('/config.json', Buffer.from(JSON.stringify({ graphqlUrl })));
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    const body = files.get(path === '/' ? '/index.html' : path);
    if (!body || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found');
      return;
    }
    res.writeHead(200, {
      'content-type': contentTypeOf(path === '/' ? '/index.html' : path) ?? 'application/octet-stream',
      // Vite names assets by content; the page and its config must be asked for again.
      'cache-control': path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      'x-content-type-options': 'nosniff',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  return {
    url: `http://${host === '0.0.0.0' || host === '::' ? 'localhost' : host}:${actualPort}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
