/**
 * Soak only, preloaded into the gateway (`node --expose-gc --import ./test/soak/live-heap-probe.mjs`):
 * on SIGUSR2 it runs two full collections and writes what survived them, `{ liveHeapBytes, rssBytes }`,
 * to `$LIVE_HEAP_DIR/live-heap-<pid>-<n>.json` (n counts the signals from 1). The live heap after a
 * full collection is what a leak grows; RSS also holds the garbage V8 has not collected yet and the
 * room it keeps to grow into, which is policy, not a leak. Plain JavaScript so that the built gateway
 * needs no TypeScript loader.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.LIVE_HEAP_DIR;
let signals = 0;

process.on('SIGUSR2', () => {
  if (!dir || typeof globalThis.gc !== 'function') return;
  signals += 1;
  globalThis.gc();
  globalThis.gc(); // the first collection can leave objects whose finalizers free more
  const usage = process.memoryUsage();
  const file = join(dir, `live-heap-${process.pid}-${signals}.json`);
  // Written aside and renamed: the reader never sees half a file.
  writeFileSync(`${file}.part`, JSON.stringify({ liveHeapBytes: usage.heapUsed, rssBytes: usage.rss }));
  renameSync(`${file}.part`, file);
});
