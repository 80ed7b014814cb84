import zlib from 'node:zlib';
import Negotiator from 'negotiator';
import { ByteLru } from '../cache/byte-lru.js';

export type Encoding = 'br' | 'gzip';

const ENCODINGS = ['br', 'gzip'];
/** Clients send few distinct Accept-Encoding headers: each is negotiated once (at most 256 kept). */
const chosen = new ByteLru<string, Encoding | 'identity'>(Number.POSITIVE_INFINITY, 256);

/**
 * The encoding to answer with, from the client's Accept-Encoding as RFC 9110 reads it (negotiator:
 * q-values weigh, `q=0` refuses, `*` stands for what is not named): the client's highest weight
 * among br and gzip, brotli on a tie; none without the header or when neither is acceptable.
 */
export function chooseEncoding(acceptEncoding: string | undefined): Encoding | undefined {
  if (!acceptEncoding) return undefined;
  let encoding = chosen.get(acceptEncoding);
  if (encoding === undefined) {
    const negotiated = new Negotiator({ headers: { 'accept-encoding': acceptEncoding } }).encoding(ENCODINGS, { preferred: ENCODINGS });
    encoding = (negotiated as Encoding | undefined) ?? 'identity';
    chosen.set(acceptEncoding, encoding, 1);
  }
  return encoding === 'identity' ? undefined : encoding;
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
