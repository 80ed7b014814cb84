/**
 * The tracing part of `npm run bench` (issue 16): what OpenTelemetry tracing costs per operation.
 * Gateways on the bench's simulator: tracing off, on with `parentbased_traceidratio` 0.1, on with
 * `always_on`, and a second "off" process, the control: what two identical processes differ by is
 * the noise floor, printed beside the costs. A traced gateway exports OTLP/HTTP (protobuf, the
 * default) to its own receiver in this process on a loopback port; the receiver counts what
 * arrives, so a variant that exported nothing (a broken endpoint) shows as 0 spans instead of a
 * cost that looks too good.
 *
 * All of them are loaded at the same time, each by its own client (the start order rotating from
 * round to round), because this shared machine's speed drifts by ±20 % from one ten-second window
 * to the next: loaded one after the other, the same "off" process measured 0.70 and 0.99 ms per
 * operation in neighbouring windows. Loaded together, a slow minute slows all of them. A ratio is
 * the median of the rounds' ratios against "off" of the same round, with the lowest and highest.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import { z } from 'zod';
import { startGatewayProcess, type Started } from '../support/processes.js';
import type { BenchCase } from './cases.js';
import { cpuMs, median } from './proc-stats.js';

export interface TracingVariant {
  label: string;
  env: Record<string, string>;
  /** Exports to a receiver of its own (OTEL_EXPORTER_OTLP_ENDPOINT set: tracing on). */
  traced: boolean;
  /** Node flags for this variant's gateway only, after the bench's own (a V8 setting under test). */
  nodeArgs?: string[];
}

export interface TracingFigures {
  case: string;
  connections: number;
  variant: string;
  rps: number;
  cpuMsPerOp: number;
  /** Median, lowest and highest of the rounds' CPU per operation ÷ the baseline ("off") of the same round (1 for it). */
  cpuVsOff: { median: number; low: number; high: number };
  allocKbPerOp: number;
  allocVsOff: number;
  errors: number;
  /** OTLP export requests and bytes the receiver got while this variant was loaded, per 1,000 operations. */
  exportsPer1kOps: number;
  exportKbPerOp: number;
}

const SAMPLED_TENTH = { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' };

/**
 * The variants; a traced one exports to its own receiver, so that what arrives is its own (a batch
 * may be sent late). The first is the baseline every other is a ratio against.
 */
export const TRACING_VARIANTS: TracingVariant[] = [
  { label: 'off', env: {}, traced: false },
  { label: '10 %', env: SAMPLED_TENTH, traced: true },
  { label: '100 %', env: { OTEL_TRACES_SAMPLER: 'always_on' }, traced: true },
  { label: 'off (control)', env: {}, traced: false },
];

const variantSchema = z.strictObject({
  label: z.string().trim().min(1).max(40),
  env: z.record(z.string(), z.string()).default({}),
  traced: z.boolean(),
  nodeArgs: z.array(z.string()).optional(),
});

/**
 * Variants in place of TRACING_VARIANTS (`--tracing-variants`, BENCH_TRACING_VARIANTS), for
 * splitting a cost: a JSON array of 2–6 `{ label, env?, traced, nodeArgs? }` with distinct labels,
 * the first the baseline. Throws an Error that says what is wrong.
 */
export function parseTracingVariants(json: string): TracingVariant[] {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new Error('tracing variants are not JSON (expected an array of { label, env?, traced, nodeArgs? })');
  }
  const parsed = z.array(variantSchema).min(2).max(6).safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`tracing variants: ${issue.path.join('.') || 'the list'}: ${issue.message}`);
  }
  const labels = parsed.data.map((v) => v.label);
  const repeated = labels.find((label, i) => labels.indexOf(label) !== i);
  if (repeated !== undefined) throw new Error(`tracing variants: the label "${repeated}" is used twice`);
  return parsed.data.map(({ nodeArgs, ...v }) => (nodeArgs ? { ...v, nodeArgs } : v));
}

interface OtlpCounter {
  endpoint: string;
  counts: () => { requests: number; bytes: number };
  close: () => Promise<void>;
}

/** An OTLP/HTTP receiver that answers every export with 200 and counts requests and bytes. */
async function startOtlpCounter(): Promise<OtlpCounter> {
  let requests = 0;
  let bytes = 0;
  const server = http.createServer((req, res) => {
    req.on('data', (chunk: Buffer) => (bytes += chunk.length));
    req.on('end', () => {
      requests += 1;
      res.writeHead(200, { 'content-type': req.headers['content-type'] ?? 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    counts: () => ({ requests, bytes }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface TracingCostSetup {
  simUrl: string;
  cases: BenchCase[];
  connections: number;
  seconds: number;
  warmupSeconds: number;
  rounds: number;
  gatewayEnv: Record<string, string>;
  nodeArgs: string[];
  tokenOf: (c: BenchCase) => string;
  bodyOf: (c: BenchCase) => string;
  /** The bench's check that an answer is whole (data, no errors). */
  verify: (body: string | Buffer | undefined) => boolean;
  /** The bench's allocation meter: bytes the process allocated while `work` ran. */
  allocatedDuring: <T>(pid: number, work: () => Promise<T>) => Promise<{ result: T; allocatedBytes: number }>;
  /** TRACING_VARIANTS unless given; the first is the baseline. */
  variants?: TracingVariant[];
}

export async function measureTracingCost(setup: TracingCostSetup): Promise<TracingFigures[]> {
  const gateways: Array<{ variant: TracingVariant; process: Started; url: string; receiver?: OtlpCounter }> = [];
  try {
    for (const variant of setup.variants ?? TRACING_VARIANTS) {
      const receiver = variant.traced ? await startOtlpCounter() : undefined;
      const { process: started, url } = await startGatewayProcess(
        { CONSOLE_URL: setup.simUrl, ...setup.gatewayEnv, ...variant.env, ...(receiver ? { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint } : {}) },
        undefined,
        { quiet: true, nodeArgs: [...setup.nodeArgs, ...(variant.nodeArgs ?? [])] },
      );
      gateways.push({ variant, process: started, url, ...(receiver ? { receiver } : {}) });
    }
    const load = (url: string, c: BenchCase, seconds: number) =>
      autocannon({
        url,
        method: 'POST',
        connections: setup.connections,
        duration: seconds,
        headers: { 'content-type': 'application/json', ...(c.auth ? { authorization: `Bearer ${setup.tokenOf(c)}` } : {}) },
        body: setup.bodyOf(c),
        verifyBody: setup.verify,
      });
    type Gateway = (typeof gateways)[number];
    /** One gateway's figures for one window of load (run while the others are loaded too). */
    const measure = async (g: Gateway, c: BenchCase): Promise<RoundFigures> => {
      const pid = g.process.child.pid!;
      const cpuBefore = cpuMs(pid);
      const exportedBefore = g.receiver?.counts() ?? { requests: 0, bytes: 0 };
      const { result, allocatedBytes } = await setup.allocatedDuring(pid, () => load(g.url, c, setup.seconds));
      const cpu = cpuMs(pid) - cpuBefore;
      const exported = g.receiver?.counts() ?? { requests: 0, bytes: 0 };
      const ok = result['2xx'];
      const per = (n: number) => (ok > 0 ? n / ok : 0);
      return {
        rps: ok / result.duration,
        cpuMsPerOp: per(cpu),
        allocKbPerOp: per(allocatedBytes / 1024),
        errors: result.errors + result.timeouts + result.non2xx + result.mismatches,
        exportsPer1kOps: per((exported.requests - exportedBefore.requests) * 1000),
        exportKbPerOp: per((exported.bytes - exportedBefore.bytes) / 1024),
      };
    };
    const figures: TracingFigures[] = [];
    for (const c of setup.cases) {
      await Promise.all(gateways.map((g) => load(g.url, c, setup.warmupSeconds)));
      const runs = new Map<string, RoundFigures[]>(gateways.map((g) => [g.variant.label, []]));
      for (let round = 0; round < setup.rounds; round += 1) {
        const order = rotated(gateways, round);
        const measured = await Promise.all(order.map((g) => measure(g, c)));
        order.forEach((g, i) => runs.get(g.variant.label)!.push(measured[i]));
      }
      const off = runs.get(gateways[0].variant.label) ?? [];
      for (const g of gateways) {
        const list = runs.get(g.variant.label) ?? [];
        const mid = (pick: (r: RoundFigures) => number) => median(list.map(pick));
        const paired = (pick: (r: RoundFigures) => number) => list.map((r, i) => (pick(off[i]) > 0 ? pick(r) / pick(off[i]) : Number.NaN));
        const cpuRatios = paired((r) => r.cpuMsPerOp);
        figures.push({
          case: c.name,
          connections: setup.connections,
          variant: g.variant.label,
          rps: mid((r) => r.rps),
          cpuMsPerOp: mid((r) => r.cpuMsPerOp),
          cpuVsOff: { median: median(cpuRatios), low: Math.min(...cpuRatios), high: Math.max(...cpuRatios) },
          allocKbPerOp: mid((r) => r.allocKbPerOp),
          allocVsOff: median(paired((r) => r.allocKbPerOp)),
          errors: list.reduce((a, r) => a + r.errors, 0),
          exportsPer1kOps: mid((r) => r.exportsPer1kOps),
          exportKbPerOp: mid((r) => r.exportKbPerOp),
        });
      }
      process.stderr.write(
        `bench: tracing ${c.name}: ${figures
          .slice(-gateways.length)
          .map((f) => `${f.variant} ${f.cpuMsPerOp.toFixed(2)} ms (${times(f.cpuVsOff.median)})`)
          .join(', ')}\n`,
      );
    }
    return figures;
  } finally {
    await Promise.all(gateways.map((g) => g.process.stop()));
    await Promise.all(gateways.map((g) => g.receiver?.close() ?? Promise.resolve()));
  }
}

type RoundFigures = Omit<TracingFigures, 'case' | 'connections' | 'variant' | 'cpuVsOff' | 'allocVsOff'>;

/** The gateways in round `round`'s start order: each round starts with the next variant. */
function rotated<T>(items: T[], round: number): T[] {
  const start = round % items.length;
  return [...items.slice(start), ...items.slice(0, start)];
}

const times = (n: number) => (Number.isFinite(n) ? `${n.toFixed(2)}×` : '–');

/** A Markdown table of the tracing figures, each variant against the first ("off") of its case. */
export function formatTracingTable(figures: TracingFigures[], rounds: number): string {
  const baseline = figures[0]?.variant ?? 'off';
  // The default variants' control row; a --tracing-variants list may have none.
  const control = figures.some((f) => f.variant === 'off (control)') ? '; "off (control)" is a second untraced process: what it differs by is noise' : '';
  return [
    `Tracing (OTLP/HTTP protobuf to a receiver on loopback; ${rounds} rounds, all variants loaded at the same time; medians; "vs off" is the median of the rounds' ratios against "${baseline}" (the first variant) of the same round, with the lowest–highest round${control})`,
    '',
    '| case | conns | tracing | req/s | CPU ms/op | CPU vs off | (rounds) | alloc kB/op | alloc vs off | exports per 1,000 ops | exported kB/op | errors |',
    '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...figures.map(
      (f) =>
        `| ${f.case} | ${f.connections} | ${f.variant} | ${f.rps.toFixed(0)} | ${f.cpuMsPerOp.toFixed(2)} | ${times(f.cpuVsOff.median)} | ${times(f.cpuVsOff.low)}–${times(f.cpuVsOff.high)} | ${f.allocKbPerOp.toFixed(0)} | ${times(f.allocVsOff)} | ${f.exportsPer1kOps.toFixed(1)} | ${f.exportKbPerOp.toFixed(2)} | ${f.errors} |`,
    ),
  ].join('\n');
}
