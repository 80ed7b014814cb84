import zlib from 'node:zlib';
import Negotiator from 'negotiator';
import { ByteLru } from '../cache/byte-lru.js';

export type Encoding = 'br' | 'gzip';

const ENCODINGS = ['br', 'gzip'];
/**
 * Clients send few distinct Accept-Encoding headers: each is negotiated once. The header is the
 * client's to write (up to Node's 16 kB header limit), so the memo is bounded by its keys' size:
 * 64 kB of headers, a string's UTF-16 bytes plus ~100 bytes of entry; a header over 1 kB is not kept.
 */
const chosen = new ByteLru<string, Encoding | 'identity'>(65_536);
const CHOSEN_ENTRY_MAX_BYTES = 1024;

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
    const bytes = acceptEncoding.length * 2 + 100;
    if (bytes <= CHOSEN_ENTRY_MAX_BYTES) chosen.set(acceptEncoding, encoding, bytes);
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
