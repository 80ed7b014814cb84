import { extname } from 'node:path';

/** Media types of the built static files the gateway and the demo serve (the explorer, the example). */
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ttf': 'font/ttf',
  '.woff2': 'font/woff2',
};

/** The media type of a file by its extension; undefined for anything a build here does not write. */
export function contentTypeOf(path: string): string | undefined {
  return TYPES[extname(path)];
}
