import { randomBytes } from 'node:crypto';
import { Pool } from 'undici';
import { startProcesses } from '../support/processes.js';
import { liveHeapProbe, type LiveHeap } from './live-heap.js';

/**
 * Everything a client chooses, each sent with `count` distinct values to one gateway at production
 * settings, from one address, as an attacker would: what the gateway still holds after full
 * collections must not grow with the values (each input's growth is measured on its own), and the
 * Console calls the whole run caused must fit the one budget of Console calls that address has.
 * Shared by `test/integration/client-inputs.test.ts` (a short run in `npm test`) and
 * `npm run soak:inputs` (the long one).
 */
export interface ClientInput {
  name: string;
  /** The k-th request with a distinct value of the input. */
  request(k: number): { method?: 'GET' | 'POST'; path?: string; headers?: Record<string, string>; body?: unknown };
}

/** A hot public query (its page cached after the first request) that every input rides on. */
const HOT = 'query Hot { catalog { page totalPages } }';
const HOT_GET = `/graphql?query=${encodeURIComponent(HOT)}`;

export function clientInputs(nameBytes: number): ClientInput[] {
  const fill = (k: number, bytes: number) => `${k.toString(36)}_${'x'.repeat(Math.max(0, bytes - 8))}`;
  return [
    { name: 'operation names', request: (k) => ({ body: { query: HOT, operationName: `N${fill(k, nameBytes)}` } }) },
    // Up to half of MAX_VARIABLES_BYTES, so that the document check lets them through.
    { name: 'variable names', request: (k) => ({ body: { query: HOT, variables: { [`v${fill(k, Math.min(nameBytes, 32_768))}`]: k } } }) },
    { name: 'extension keys', request: (k) => ({ body: { query: HOT, extensions: { [`e${fill(k, Math.min(nameBytes, 32_768))}`]: { k } } } }) },
    { name: 'documents', request: (k) => ({ body: { query: `{ a${k}: catalog { page } }` } }) },
    {
      name: 'persisted-query hashes',
      request: (k) => ({ body: { extensions: { persistedQuery: { version: 1, sha256Hash: randomBytes(32).toString('hex') } }, k } }),
    },
    { name: 'document ids', request: (k) => ({ body: { documentId: `sha256:${randomBytes(32).toString('hex')}`, k } }) },
    {
      name: 'cursors',
      request: (k) => ({
        body: {
          query: 'query C($a: String) { catalog(first: 2, after: $a) { totalCount } }',
          variables: { a: Buffer.from(`c1:1:${k}:${fill(k, 16)}`).toString('base64url') },
        },
      }),
    },
    { name: 'bearer tokens', request: () => ({ body: { query: HOT }, headers: { authorization: `Bearer ${randomBytes(24).toString('base64url')}` } }) },
    {
      name: 'login usernames',
      request: (k) => ({
        body: { query: 'mutation($u: String!) { login(username: $u, password: "x") { token } }', variables: { u: `u${k}-${fill(k, 200)}` } },
      }),
    },
    {
      name: 'headers the gateway reads',
      request: (k) => ({
        method: 'GET',
        path: HOT_GET,
        headers: {
          'accept-encoding': `gzip;q=0.${k % 9}, x-${fill(k, 256)}`,
          'x-request-id': `r-${k}-${randomBytes(8).toString('hex')}`,
          origin: `https://o${k}.example`,
          traceparent: `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`,
          'x-forwarded-for': `10.${(k >> 16) & 255}.${(k >> 8) & 255}.${k & 255}`,
          'x-apollo-operation-name': `N${fill(k, 256)}`,
          'apollo-require-preflight': fill(k, 64),
          'if-none-match': `"${fill(k, 64)}"`,
        },
      }),
    },
  ];
}

export interface InputGrowth {
  name: string;
  /** Live heap after full collections: after a warm-up of the input, and after `count` values. */
  before: number;
  after: number;
  /** Answers that were no answer: a 5xx or a connection that failed. */
  broken: number;
}

export interface InputsRun {
  inputs: InputGrowth[];
  /** Console calls of the whole run, and what one budget of CLIENT_CONSOLE_CALLS_PER_SECOND allows over its time. */
  consoleCalls: number;
  budgetAllows: number;
  seconds: number;
}

/** The default budget of Console calls (CLIENT_CONSOLE_CALLS_PER_SECOND, burst twice that). */
const CONSOLE_CALLS_PER_SECOND = 200;
const CONCURRENCY = 16;

/**
 * Runs every input against one fresh gateway. The gateway runs as in production (NODE_ENV,
 * budgets, login limits) except its operation budget, which is off: at 50 operations a second
 * only a few thousand values would reach the caches under test in a run of minutes, and the
 * Console calls are held to their own budget all the same.
 */
export async function measureClientInputs(count: number, nameBytes: number, log: (line: string) => void = () => undefined): Promise<InputsRun> {
  const probe = liveHeapProbe();
  const { simulator, gateway, simUrl, url } = await startProcesses(
    { NODE_ENV: 'production', CLIENT_OPERATIONS_PER_SECOND: '0', CLIENT_CONSOLE_CALLS_PER_SECOND: String(CONSOLE_CALLS_PER_SECOND), ...probe.env },
    {},
    { gatewayNodeArgs: probe.nodeArgs, quietGateway: true },
  );
  const origin = new URL(url).origin;
  const pool = new Pool(origin, { connections: CONCURRENCY });
  const started = Date.now();
  const inputs: InputGrowth[] = [];
  try {
    const heap = async (): Promise<LiveHeap> => probe.measure(gateway.child.pid!);
    for (const input of clientInputs(nameBytes)) {
      const send = async (k: number): Promise<boolean> => {
        const { method = 'POST', path = '/graphql', headers = {}, body } = input.request(k);
        try {
          const res = await pool.request({
            method,
            path,
            headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
            ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          });
          await res.body.dump();
          return res.statusCode < 500;
        } catch {
          return false;
        }
      };
      const run = async (from: number, to: number): Promise<number> => {
        let next = from;
        let broken = 0;
        await Promise.all(
          Array.from({ length: CONCURRENCY }, async () => {
            for (let k = next++; k < to; k = next++) if (!(await send(k))) broken += 1;
          }),
        );
        return broken;
      };
      // A warm-up with values of its own: caches that fill up to their bound are full before `before`.
      const warm = Math.min(500, Math.ceil(count / 10));
      let broken = await run(-warm, 0);
      const before = (await heap()).liveHeapBytes;
      broken += await run(0, count);
      const after = (await heap()).liveHeapBytes;
      inputs.push({ name: input.name, before, after, broken });
      log(`${input.name}: ${count} values, live heap ${(before / 1_048_576).toFixed(1)} → ${(after / 1_048_576).toFixed(1)} MB, ${broken} broken`);
    }
    const stats = (await (await fetch(`${simUrl}/__admin/stats`)).json()) as { requests: Record<string, number> };
    const consoleCalls = Object.values(stats.requests).reduce((a, b) => a + b, 0);
    const seconds = (Date.now() - started) / 1000;
    return { inputs, consoleCalls, budgetAllows: Math.ceil(CONSOLE_CALLS_PER_SECOND * 2 + CONSOLE_CALLS_PER_SECOND * seconds), seconds };
  } finally {
    await pool.close();
    await gateway.stop();
    await simulator.stop();
    probe.remove();
  }
}
