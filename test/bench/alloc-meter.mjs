/**
 * Bench only, preloaded into the gateway and the floor alike (`node --import ./test/bench/alloc-meter.mjs`):
 * counts the bytes a process allocates on V8's heap between two SIGUSR2 signals. The first signal
 * starts a window, the second ends it and writes `{ allocatedBytes }` to
 * `$ALLOC_METER_DIR/alloc-<pid>.json`. Allocation is read from V8's GC profiler: between two
 * collections the heap only grows by what was allocated, so the window's allocation is the sum of
 * each collection's "used before" minus the previous one's "used after", plus the growth since
 * the last collection. Plain JavaScript so that the built gateway needs no TypeScript loader.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import v8 from 'node:v8';

const dir = process.env.ALLOC_METER_DIR;
let profiler;
let usedAtStart = 0;

process.on('SIGUSR2', () => {
  if (!dir) return;
  if (profiler === undefined) {
    usedAtStart = v8.getHeapStatistics().used_heap_size;
    profiler = new v8.GCProfiler();
    profiler.start();
    return;
  }
  const data = profiler.stop();
  profiler = undefined;
  let allocated = 0;
  let previousAfter = usedAtStart;
  for (const gc of data?.statistics ?? []) {
    allocated += Math.max(0, gc.beforeGC.heapStatistics.usedHeapSize - previousAfter);
    previousAfter = gc.afterGC.heapStatistics.usedHeapSize;
  }
  allocated += Math.max(0, v8.getHeapStatistics().used_heap_size - previousAfter);
  writeFileSync(join(dir, `alloc-${process.pid}.json`), JSON.stringify({ allocatedBytes: allocated }));
});
