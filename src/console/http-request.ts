import http from 'node:http';
import https from 'node:https';
import { UpstreamFailure } from './upstream-failure.js';

/** Where CONSOLE_URL points, split once so that no URL is parsed per call. */
export interface Origin {
  protocol: 'http:' | 'https:';
  hostname: string;
  port: string;
  /** Path prefix of CONSOLE_URL, ending in "/". */
  basePath: string;
}

export interface RawRequest {
  method: 'GET' | 'POST';
  origin: Origin;
  /** Path and query below CONSOLE_URL (no leading slash). */
  path: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  /** True when the timeout is the operation's deadline rather than UPSTREAM_TIMEOUT_MS. */
  deadlineBound: boolean;
  maxBytes: number;
  agent: http.Agent;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * One HTTP exchange with the Console on node:http: a hard timeout over the whole exchange, a cap
 * on the answer's size, no redirects followed (a 3xx is just a status). Fails only with an
 * UpstreamFailure that says what went wrong.
 */
export function sendRaw(request: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (failure: UpstreamFailure) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      reject(failure);
    };
    const { origin } = request;
    const client = origin.protocol === 'https:' ? https : http;
    const options = {
      protocol: origin.protocol,
      hostname: origin.hostname,
      port: origin.port,
      path: origin.basePath + request.path,
      method: request.method,
      headers: request.headers,
      agent: request.agent,
    };
    const req = client.request(options, (res) => {
      const declared = Number(res.headers['content-length']);
      if (declared > request.maxBytes) {
        fail(new UpstreamFailure('too_large', `content-length ${declared} over UPSTREAM_MAX_BYTES`));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > request.maxBytes) fail(new UpstreamFailure('too_large', 'answer larger than UPSTREAM_MAX_BYTES'));
        else chunks.push(chunk);
      });
      res.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        const body = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks, size).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      });
      res.on('error', (error: NodeJS.ErrnoException) => fail(classify(error)));
      res.on('aborted', () => fail(new UpstreamFailure('reset', 'answer aborted')));
    });
    const timer = setTimeout(
      () =>
        fail(
          request.deadlineBound
            ? new UpstreamFailure('deadline', 'operation deadline passed during the call')
            : new UpstreamFailure('timeout', 'no answer within UPSTREAM_TIMEOUT_MS'),
        ),
      request.timeoutMs,
    );
    req.on('error', (error: NodeJS.ErrnoException) => fail(classify(error)));
    req.end(request.body);
  });
}

function classify(error: NodeJS.ErrnoException): UpstreamFailure {
  const code = error.code ?? '';
  if (RESET_CODES.has(code)) return new UpstreamFailure('reset', code);
  if (UNREACHABLE_CODES.has(code)) return new UpstreamFailure('unavailable', code);
  return new UpstreamFailure('malformed', `${error.name}: ${error.message}`);
}
