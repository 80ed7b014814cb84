import zlib from 'node:zlib';

export type Encoding = 'br' | 'gzip';

/**
 * The encoding to answer with, from the client's Accept-Encoding (q-values honoured, `q=0`
 * refuses): brotli when accepted, else gzip, else none.
 */
export function chooseEncoding(acceptEncoding: string | undefined): Encoding | undefined {
  if (!acceptEncoding) return undefined;
  let gzip = false;
  let br = false;
  for (const part of acceptEncoding.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)).find(Boolean);
    if (q && !(Number(q[1]) > 0)) continue;
    if (name === 'br') br = true;
    else if (name === 'gzip' || name === '*') gzip = true;
  }
  return br ? 'br' : gzip ? 'gzip' : undefined;
}

/**
 * Compresses one answer. Brotli at quality 4 and gzip at level 6 both make a 6 kB dashboard about
 * 1 kB; brotli's default quality (11) costs ~10× the CPU for a few per cent less. Answers here are
 * small, so this runs synchronously: a round trip to the thread pool would cost more than it saves.
 */
export function compress(body: string, encoding: Encoding): Buffer {
  return encoding === 'br'
    ? zlib.brotliCompressSync(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length } })
    : zlib.gzipSync(body, { level: 6 });
}
