import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { takeProbeFile } from '../support/probe-file.js';

export interface LiveHeap {
  liveHeapBytes: number;
  rssBytes: number;
}

/**
 * The soak's view of the gateway's retained memory (live-heap-probe.mjs): start the gateway with
 * `nodeArgs` and `env`; `measure(pid)` forces full collections in it and reads what survived.
 */
export function liveHeapProbe() {
  const dir = mkdtempSync(join(os.tmpdir(), 'flecs-soak-heap-'));
  let signals = 0;
  return {
    nodeArgs: ['--expose-gc', '--import', new URL('./live-heap-probe.mjs', import.meta.url).href],
    env: { LIVE_HEAP_DIR: dir },
    measure(pid: number): Promise<LiveHeap> {
      signals += 1;
      process.kill(pid, 'SIGUSR2');
      return takeProbeFile<LiveHeap>(join(dir, `live-heap-${pid}-${signals}.json`), 10_000);
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
