import zlib from 'node:zlib';
import Negotiator from 'negotiator';

export type Encoding = 'br' | 'gzip';

const ENCODINGS = ['br', 'gzip'];
/** Clients send few distinct Accept-Encoding headers: each is negotiated once (bounded). */
const chosen = new Map<string, Encoding | undefined>();
const CHOSEN_MAX = 256;

/**
 * The encoding to answer with, from the client's Accept-Encoding as RFC 9110 reads it (negotiator:
 * q-values weigh, `q=0` refuses, `*` stands for what is not named): the client's highest weight
 * among br and gzip, brotli on a tie; none without the header or when neither is acceptable.
 */
export function chooseEncoding(acceptEncoding: string | undefined): Encoding | undefined {
  if (!acceptEncoding) return undefined;
  if (chosen.has(acceptEncoding)) return chosen.get(acceptEncoding);
  const encoding = new Negotiator({ headers: { 'accept-encoding': acceptEncoding } }).encoding(ENCODINGS, { preferred: ENCODINGS }) as Encoding | undefined;
  if (chosen.size >= CHOSEN_MAX) chosen.clear();
  chosen.set(acceptEncoding, encoding);
  return encoding;
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
