import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import { requestOn, type Pool } from './undici-pool.js';
import { UpstreamFailure } from './upstream-failure.js';

export interface RawRequest {
  method: 'GET' | 'POST';
  /** Path and query below CONSOLE_URL's origin (the path prefix included). */
  path: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  /** True when the timeout is the operation's deadline rather than UPSTREAM_TIMEOUT_MS. */
  deadlineBound: boolean;
  maxBytes: number;
  pool: Pool;
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * One HTTP exchange with the Console on undici's Pool (keep-alive connections to CONSOLE_URL's
 * origin): a hard timeout over the whole exchange (undici's own timeouts only measure silence), a
 * cap on the answer's size, no redirects followed (a 3xx is just a status). Fails only with an
 * UpstreamFailure that says what went wrong.
 */
export async function sendRaw(request: RawRequest): Promise<RawResponse> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, request.timeoutMs);
  const timeoutFailure = () =>
    request.deadlineBound
      ? new UpstreamFailure('deadline', 'operation deadline passed during the call')
      : new UpstreamFailure('timeout', 'no answer within UPSTREAM_TIMEOUT_MS');
  let response: Dispatcher.ResponseData | undefined;
  try {
    response = await requestOn(request.pool, {
      method: request.method,
      path: request.path,
      headers: request.headers,
      body: request.body ?? null,
      signal: controller.signal,
      // The hard timeout above covers the whole exchange; these only must not fire first.
      headersTimeout: 0,
      bodyTimeout: 0,
    });
    const declared = Number(response.headers['content-length']);
    if (declared > request.maxBytes) throw new UpstreamFailure('too_large', `content-length ${declared} over UPSTREAM_MAX_BYTES`);
    const body = await readBody(response.body, request.maxBytes);
    return { status: response.statusCode, headers: response.headers, body };
  } catch (error) {
    if (response) {
      // Stop reading (an answer over the cap, a timeout): the connection is closed, not reused.
      response.body.on('error', () => undefined);
      response.body.destroy();
    }
    if (timedOut) throw timeoutFailure();
    if (error instanceof UpstreamFailure) throw error;
    throw classify(error as NodeJS.ErrnoException);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The answer's text, read by 'data' events. Not undici's body.text(): it kept each answer reachable
 * long enough for V8 to promote it to the old generation (39 % of a dashboard's allocation promoted
 * at 50 connections). Not `for await` either: an async iterator, its end-of-stream watcher and a
 * promise per chunk cost ~3 kB and several ticks per Console call.
 */
function readBody(body: Dispatcher.ResponseData['body'], maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    body.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) body.destroy(new UpstreamFailure('too_large', 'answer larger than UPSTREAM_MAX_BYTES'));
      else chunks.push(chunk);
    });
    body.on('end', () => {
      const text = (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)).toString('utf8');
      // The listeners stay on the stream, which undici may hold a while: they must not hold the bytes.
      chunks.length = 0;
      resolve(text);
    });
    body.on('error', reject);
  });
}

function classify(error: NodeJS.ErrnoException): UpstreamFailure {
  const code = error.code ?? (error.cause as NodeJS.ErrnoException | undefined)?.code ?? '';
  if (RESET_CODES.has(code)) return new UpstreamFailure('reset', code);
  if (UNREACHABLE_CODES.has(code)) return new UpstreamFailure('unavailable', code);
  if (code === 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH' || code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH') return new UpstreamFailure('reset', code);
  return new UpstreamFailure('malformed', `${error.name}: ${error.message}`);
}
