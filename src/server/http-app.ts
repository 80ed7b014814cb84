import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import type { Logger } from '../common/logger.js';
import { createContext, type GatewayContext } from '../context.js';
import type { ConsoleTransport } from '../console/http-transport.js';
import { applyCors } from './cors.js';
import { BodyTooLargeError, readBody } from './read-body.js';

export interface HttpAppOptions {
  apollo: ApolloServer<GatewayContext>;
  transport: ConsoleTransport;
  logger: Logger;
  corsOrigins: readonly string[];
  maxBodyBytes: number;
}

const REQUEST_ID = /^[A-Za-z0-9\-_.:]{1,128}$/;

/** The gateway's HTTP surface: /graphql (Apollo), /healthz, and JSON errors for everything else. */
export function createHttpApp(options: HttpAppOptions): RequestListener {
  return (req, res) => {
    const incoming = req.headers['x-request-id'];
    const requestId = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('x-request-id', requestId);
    handle(req, res, requestId, options).catch((error: unknown) => {
      options.logger.error('request failed', { requestId, error: error instanceof Error ? error.message : String(error) });
      if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'Internal server error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
      else res.destroy();
    });
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, requestId: string, options: HttpAppOptions): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://gateway.invalid');
  if (url.pathname === '/healthz') {
    sendJson(res, 200, { status: 'ok' });
    return;
  }
  if (url.pathname !== '/graphql' && url.pathname !== '/graphql/') {
    sendJson(res, 404, { errors: [{ message: `Nothing at ${url.pathname}; the GraphQL endpoint is /graphql.`, extensions: { code: 'NOT_FOUND' } }] });
    return;
  }
  if (applyCors(req, res, options.corsOrigins)) return;
  const method = (req.method ?? 'GET').toUpperCase();
  if (method !== 'GET' && method !== 'POST') {
    res.setHeader('allow', 'GET, POST, OPTIONS');
    sendJson(res, 405, { errors: [{ message: `${method} is not supported; use GET or POST.`, extensions: { code: 'METHOD_NOT_ALLOWED' } }] });
    return;
  }
  let body: unknown;
  if (method === 'POST') {
    const parsed = await parseBody(req, options.maxBodyBytes);
    if ('status' in parsed) {
      sendJson(res, parsed.status, { errors: [{ message: parsed.message, extensions: { code: parsed.code } }] });
      return;
    }
    body = parsed.body;
  }
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  const authorization = req.headers.authorization;
  const response = await options.apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method, headers, search: url.search, body },
    context: async () => createContext(options.transport, authorization, requestId),
  });
  for (const [key, value] of response.headers) res.setHeader(key, value);
  res.statusCode = response.status ?? 200;
  if (response.body.kind === 'complete') {
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

type ParsedBody = { body: unknown } | { status: number; code: string; message: string };

async function parseBody(req: IncomingMessage, limit: number): Promise<ParsedBody> {
  let text: string;
  try {
    text = await readBody(req, limit);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      return { status: 413, code: 'PAYLOAD_TOO_LARGE', message: `The request body is larger than ${limit} bytes.` };
    }
    throw error;
  }
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  if (!type.startsWith('application/json')) {
    // Apollo answers this case itself (400, or its CSRF message for simple requests).
    return { body: text === '' ? undefined : text };
  }
  if (text.trim() === '') return { body: undefined };
  try {
    return { body: JSON.parse(text) as unknown };
  } catch {
    return { status: 400, code: 'BAD_REQUEST', message: 'The request body is not valid JSON.' };
  }
}

function sendJson(res: ServerResponse, status: number, payload: unknown): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(payload));
}
