import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { findBuiltDirectory } from '../common/built-directory.js';
import { chooseEncoding } from '../http/compression.js';
import { contentTypeOf } from '../http/content-types.js';
import { addVary } from '../http/vary.js';

/** URL prefix of the explorer's files: outside /graphql, so no GraphQL request can reach them. */
const EXPLORER_ASSETS_PREFIX = '/explorer/assets/';

/** The gateway's own GraphiQL, as `npm run build` left it in dist/explorer (explorer/vite.config.ts). */
export interface ExplorerAssets {
  /** URL of the entry module and of its style sheets, for the landing page. */
  script: string;
  styles: string[];
  /** Whether `path` names a file the build wrote (anything else is the HTTP layer's 404). */
  has(path: string): boolean;
  /** Answers a GET or HEAD of a file `has` knows. */
  serve(req: IncomingMessage, res: ServerResponse, path: string): Promise<void>;
}

interface ManifestEntry {
  file: string;
  isEntry?: boolean;
  css?: string[];
}

/** Names are content-hashed: a file never changes under its name, so browsers keep it a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * Finds the built explorer: dist/explorer beside dist/src when running the build, or under dist/
 * when running from source (tests, `npm run dev`). Undefined when it was not built: the landing page
 * then says how to build it. Reads only the manifest and the file list; files are read when asked.
 */
export function loadExplorerAssets(): ExplorerAssets | undefined {
  const directory = findBuiltDirectory(import.meta.url, ['../../explorer/', '../../dist/explorer/'], join('.vite', 'manifest.json'));
  if (directory === undefined) return undefined;
  const manifest = JSON.parse(readFileSync(join(directory, '.vite', 'manifest.json'), 'utf8')) as Record<string, ManifestEntry>;
  const entry = Object.values(manifest).find((e) => e.isEntry);
  if (!entry) return undefined;
  const assets = join(directory, 'assets');
  const names = new Set(readdirSync(assets));
  const url = (file: string) => `/explorer/${file}`;
  // Only files the build wrote (a fixed list read at start) with a known type: nothing else on disk can be named.
  const nameOf = (path: string) => path.slice(EXPLORER_ASSETS_PREFIX.length);
  const has = (path: string) => path.startsWith(EXPLORER_ASSETS_PREFIX) && names.has(nameOf(path)) && contentTypeOf(path) !== undefined;
  return {
    script: url(entry.file),
    styles: (entry.css ?? []).map(url),
    has,
    serve: (req, res, path) => serveAsset(req, res, nameOf(path), assets, names),
  };
}

async function serveAsset(req: IncomingMessage, res: ServerResponse, name: string, directory: string, names: ReadonlySet<string>): Promise<void> {
  const type = contentTypeOf(name)!;
  const encoding = chooseEncoding(req.headers['accept-encoding']);
  const variant = encoding === 'br' && names.has(`${name}.br`) ? '.br' : encoding !== undefined && names.has(`${name}.gz`) ? '.gz' : '';
  const body = await readFile(join(directory, name + variant));
  res.statusCode = 200;
  res.setHeader('content-type', type);
  res.setHeader('cache-control', IMMUTABLE);
  res.setHeader('x-content-type-options', 'nosniff');
  addVary(res, 'Accept-Encoding');
  if (variant !== '') res.setHeader('content-encoding', variant === '.br' ? 'br' : 'gzip');
  res.setHeader('content-length', body.length);
  res.end(req.method === 'HEAD' ? undefined : body);
}
