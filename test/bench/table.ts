/** Figures of one target (gateway or floor) in one case; medians over the rounds. */
export interface TargetFigures {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  callsPerOp: number;
  cpuMsPerOp: number;
  /** V8 heap bytes allocated per operation (test/bench/alloc-meter.mjs), in kB. */
  allocKbPerOp: number;
  peakRssMb: number;
}

/** Upstream calls of one first request against freshly started processes (an empty public cache). */
export interface ColdCalls {
  case: string;
  gateway: number;
  floor: number;
}

/** RSS of both targets at rest, in MB: after their first operation, and after the whole load. */
export interface RestMemory {
  /** Freshly started processes, one request of the first case, then 10 s of rest. */
  firstOperation?: { case: string; gateway: number; floor: number };
  /** The loaded processes 10 s after the last load of the table. */
  afterLoad?: { gateway: number; floor: number };
}

export interface Row {
  case: string;
  latencyMs: number;
  connections: number;
  gateway: TargetFigures;
  floor: TargetFigures;
}

const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}×` : '–');

/** A Markdown table: pasted as is into docs/performance.md. */
export function formatTable(rows: Row[], meta: { date: string; machine: string; node: string; durationSeconds: number; rounds: number }): string {
  const head = [
    `${meta.date.slice(0, 10)} · ${meta.machine} · Node ${meta.node} · ${meta.durationSeconds} s per run, ${meta.rounds} interleaved rounds, medians`,
    '',
    '| case | upstream latency | conns | gateway req/s | floor req/s | ratio | gateway p50 / p99 ms | floor p50 / p99 ms | p50 ratio | errors gw / floor | upstream calls/op gw / floor | gateway CPU ms/op | floor CPU ms/op | alloc kB/op gw / floor | peak RSS MB gw / floor |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  const body = rows.map((r) =>
    [
      r.case,
      `${r.latencyMs} ms`,
      r.connections,
      r.gateway.rps.toFixed(0),
      r.floor.rps.toFixed(0),
      ratio(r.gateway.rps, r.floor.rps),
      `${r.gateway.p50} / ${r.gateway.p99}`,
      `${r.floor.p50} / ${r.floor.p99}`,
      ratio(r.gateway.p50, r.floor.p50),
      `${r.gateway.errors} / ${r.floor.errors}`,
      `${r.gateway.callsPerOp.toFixed(2)} / ${r.floor.callsPerOp.toFixed(2)}`,
      r.gateway.cpuMsPerOp.toFixed(2),
      r.floor.cpuMsPerOp.toFixed(2),
      `${r.gateway.allocKbPerOp.toFixed(0)} / ${r.floor.allocKbPerOp.toFixed(0)}`,
      `${r.gateway.peakRssMb.toFixed(0)} / ${r.floor.peakRssMb.toFixed(0)}`,
    ].join(' | '),
  );
  return [...head, ...body.map((line) => `| ${line} |`)].join('\n');
}

export function formatColdTable(cold: ColdCalls[]): string {
  return [
    'Upstream calls of the first request on freshly started processes (empty public cache); the table above is warm.',
    '',
    '| case | cold calls gw / floor |',
    '| --- | ---: |',
    ...cold.map((c) => `| ${c.case} | ${c.gateway} / ${c.floor} |`),
  ].join('\n');
}

export function formatRestMemoryTable(memory: RestMemory): string {
  const lines = ['RSS at rest (VmRSS, MB), 10 s after the last request.', '', '| when | gateway | floor | ratio |', '| --- | ---: | ---: | ---: |'];
  const row = (when: string, m: { gateway: number; floor: number }) =>
    `| ${when} | ${m.gateway.toFixed(0)} | ${m.floor.toFixed(0)} | ${ratio(m.gateway, m.floor)} |`;
  if (memory.firstOperation) lines.push(row(`fresh start, one \`${memory.firstOperation.case}\``, memory.firstOperation));
  if (memory.afterLoad) lines.push(row('after the whole table', memory.afterLoad));
  return lines.join('\n');
}
