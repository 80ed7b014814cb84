import { randomBytes } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { SimulatedConsole, errorBody, type SimResponse } from './console-routes.js';
import { FaultBook, parseFaultRequest, type Fault } from './faults.js';

export interface SimulatorOptions {
  port?: number;
  host?: string;
  pageSize?: number;
  tokenTtlSeconds?: number;
  /** HS256 secret for the JWTs it issues; random per process when omitted. */
  secret?: string;
  /** Serve /__admin/* (stats, reset, faults). Off unless asked for. */
  admin?: boolean;
}

export interface RunningSimulator {
  /** Base URL, for example http://127.0.0.1:4010 (use as CONSOLE_URL). */
  url: string;
  port: number;
  console: SimulatedConsole;
  faults: FaultBook;
  close(): Promise<void>;
}

const MAX_BODY = 1_048_576;

/** Starts the simulated FLECS Console on a real HTTP port. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const simulated = new SimulatedConsole({
    pageSize: options.pageSize ?? 10,
    tokenTtlSeconds: options.tokenTtlSeconds ?? 86_400,
    secret: options.secret ?? randomBytes(32).toString('hex'),
  });
  const faults = new FaultBook();
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    handle(req, res, simulated, faults, options.admin === true).catch(() => {
      if (!res.headersSent) send(res, { status: 500, body: errorBody(500, 'Unknown error') });
    });
  });
  server.keepAliveTimeout = 65_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    console: simulated,
    faults,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Hung requests (the "hang" fault) would keep the server open forever.
        for (const socket of sockets) socket.destroy();
      }),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, simulated: SimulatedConsole, faults: FaultBook, admin: boolean): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://simulator.invalid');
  const method = (req.method ?? 'GET').toUpperCase();
  const text = await readText(req);
  if (text === undefined) {
    send(res, { status: 413, body: errorBody(413, 'Request body too large') });
    return;
  }
  let body: unknown;
  if (text !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      send(res, { status: 400, body: errorBody(400, 'Malformed JSON body') });
      return;
    }
  }
  if (url.pathname.startsWith('/__admin/')) {
    send(res, admin ? adminRoute(method, url.pathname, body, faults, simulated) : { status: 404, body: errorBody(404) });
    return;
  }
  const route = `${method} ${url.pathname}`;
  faults.count(route);
  const handler = simulated.routes[route];
  const answer = () => (handler ? handler({ method, url, authorization: req.headers.authorization, body }) : { status: 404, body: errorBody(404) });
  const fault = faults.get(route);
  if (fault === undefined) {
    send(res, answer());
    return;
  }
  if (fault.latencyMs) await new Promise((resolve) => setTimeout(resolve, fault.latencyMs));
  applyFault(req, res, fault, answer);
}

function applyFault(req: IncomingMessage, res: ServerResponse, fault: Fault, answer: () => SimResponse): void {
  switch (fault.mode) {
    case 'hang':
      return; // never answer; close() destroys the socket
    case 'reset':
      req.socket.destroy();
      return;
    case 'html':
      res.writeHead(fault.status ?? 502, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>');
      return;
    case 'malformed':
      // Valid JSON in the Console's envelope, but `data` is not the documented object.
      send(res, { status: fault.status ?? 200, body: { statusCode: 200, statusText: 'OK', data: 'unexpected' } });
      return;
    case 'empty':
      res.writeHead(fault.status ?? 200, { 'content-type': 'application/json', 'content-length': '0' });
      res.end();
      return;
    case 'truncated': {
      const full = JSON.stringify(answer().body);
      const cut = full.slice(0, Math.max(1, Math.floor(full.length / 2)));
      res.writeHead(fault.status ?? 200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(cut) });
      res.end(cut);
      return;
    }
    case undefined:
      if (fault.status !== undefined) {
        if (fault.status === 429) res.setHeader('retry-after', '1');
        send(res, { status: fault.status, body: errorBody(fault.status, 'Injected fault') });
      } else {
        send(res, answer());
      }
  }
}

function adminRoute(method: string, path: string, body: unknown, faults: FaultBook, simulated: SimulatedConsole): SimResponse {
  const route = `${method} ${path}`;
  const knownRoutes = Object.keys(simulated.routes);
  if (route === 'GET /__admin/reviews') return { status: 200, body: { reviews: simulated.reviews } };
  if (route === 'GET /__admin/stats') return { status: 200, body: { requests: faults.stats() } };
  if (route === 'POST /__admin/reset') {
    faults.resetCounts();
    return { status: 200, body: { requests: {} } };
  }
  if (route === 'GET /__admin/faults') return { status: 200, body: { faults: faults.list() } };
  if (route === 'DELETE /__admin/faults') {
    faults.clear();
    return { status: 200, body: { faults: {} } };
  }
  if (route === 'POST /__admin/faults') {
    const parsed = parseFaultRequest(body);
    if ('error' in parsed) return { status: 400, body: { error: parsed.error } };
    // A typo would otherwise be accepted and never fire.
    if (!knownRoutes.includes(parsed.route)) {
      return { status: 400, body: { error: `no Console route ${parsed.route.slice(0, 200)}`, knownRoutes } };
    }
    faults.set(parsed.route, parsed.fault);
    return { status: 200, body: { faults: faults.list() } };
  }
  return { status: 404, body: { error: `no admin route ${route}` } };
}

function send(res: ServerResponse, answer: SimResponse): void {
  const payload = JSON.stringify(answer.body);
  res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload) });
  res.end(payload);
}

function readText(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_BODY ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
