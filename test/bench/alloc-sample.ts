/**
 * `npm run profile` with PROFILE_KIND=alloc: V8's sampling heap profiler on the gateway through its
 * inspector, keeping the objects the collector has already freed. `--heap-prof` (PROFILE_KIND=heap)
 * keeps only what is still alive at the end, which says nothing of the short-lived garbage a request
 * leaves behind; that garbage is what makes the young generation grow and the collector run.
 */
import { writeFileSync } from 'node:fs';

interface SampleNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: SampleNode[];
}
interface SamplingProfile {
  head: SampleNode;
}

/** The inspector's debugging session of the process listening on `port` (`node --inspect=127.0.0.1:port`). */
async function inspectorSession(port: number) {
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as Array<{ webSocketDebuggerUrl: string }>;
  const socket = new WebSocket(targets[0].webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = reject;
  });
  let nextId = 1;
  const pending = new Map<number, (result: unknown) => void>();
  socket.onmessage = (event: MessageEvent) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown };
    if (message.id !== undefined) pending.get(message.id)?.(message.result);
  };
  return {
    send: (method: string, params: Record<string, unknown> = {}) =>
      new Promise<unknown>((resolve) => {
        const id = nextId++;
        pending.set(id, resolve);
        socket.send(JSON.stringify({ id, method, params }));
      }),
    close: () => socket.close(),
  };
}

/** Starts sampling; the returned stop writes the profile to `file` and resolves with its report. */
export async function sampleAllocations(port: number, file: string): Promise<{ stop(requests: number): Promise<string> }> {
  const session = await inspectorSession(port);
  await session.send('HeapProfiler.startSampling', {
    samplingInterval: 4096,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  return {
    async stop(requests: number) {
      const { profile } = (await session.send('HeapProfiler.stopSampling')) as { profile: SamplingProfile };
      session.close();
      writeFileSync(file, JSON.stringify(profile));
      return reportAllocations(profile, requests);
    },
  };
}

/** Bytes allocated per request, by allocating function (self), largest first. */
function reportAllocations(profile: SamplingProfile, requests: number, lines = 30): string {
  const bySite = new Map<string, number>();
  let total = 0;
  const walk = (node: SampleNode) => {
    const f = node.callFrame;
    const site = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/(node_modules|dist)\//, '$1/')}:${f.lineNumber + 1}`;
    bySite.set(site, (bySite.get(site) ?? 0) + node.selfSize);
    total += node.selfSize;
    node.children.forEach(walk);
  };
  walk(profile.head);
  const perRequest = (bytes: number) => (bytes / Math.max(1, requests) / 1024).toFixed(2);
  const rows = [...bySite].sort((a, b) => b[1] - a[1]).slice(0, lines);
  return [
    `allocated: ${perRequest(total)} kB per request (sampled)`,
    'kB per request, allocating function:',
    ...rows.map(([site, bytes]) => `${perRequest(bytes).padStart(8)}  ${site}`),
  ].join('\n');
}
