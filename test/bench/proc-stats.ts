import { execSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { takeProbeFile } from '../support/probe-file.js';

/** Clock ticks per second of /proc's CPU counters (100 on almost every Linux). */
const TICKS = Number(execSync('getconf CLK_TCK').toString().trim()) || 100;

/** CPU time (user + system) a process has used so far, in milliseconds. */
export function cpuMs(pid: number): number {
  // Fields after the command name, which is in parentheses and may hold spaces.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS;
}

/** A memory figure of a process's /proc status, in MB: VmRSS (now) or VmHWM (its peak so far). */
function statusMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${field}:`));
  return Number(line?.replace(/\D+/g, '') ?? 0) / 1024;
}

/** Peak resident set size of a process so far (VmHWM), in MB. */
export const peakRssMb = (pid: number): number => statusMb(pid, 'VmHWM');

/** Resident set size of a process now (VmRSS), in MB. */
export const rssMb = (pid: number): number => statusMb(pid, 'VmRSS');

/** The machine's CPU time so far, by kind, in clock ticks summed over its cores (Linux: the `cpu` line of /proc/stat). */
export interface MachineCpu {
  busy: number;
  idle: number;
  /** Time the hypervisor gave this machine's virtual cores to someone else. */
  steal: number;
}

export function machineCpu(): MachineCpu {
  const [user, nice, system, idle, iowait, irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return { busy: user + nice + system + irq + softirq, idle: idle + iowait, steal };
}

/** Shares of the machine's CPU between two readings, in per cent: busy, idle, stolen by the hypervisor. */
export function machineShares(before: MachineCpu, after: MachineCpu): MachineCpu {
  const busy = after.busy - before.busy;
  const idle = after.idle - before.idle;
  const steal = after.steal - before.steal;
  const total = Math.max(1, busy + idle + steal);
  return { busy: (100 * busy) / total, idle: (100 * idle) / total, steal: (100 * steal) / total };
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Heap allocation of benchmarked processes (alloc-meter.mjs): start them with `nodeArgs` and
 * `env`; `window(pid, work)` measures the bytes the process allocated while `work` ran.
 */
export function allocationMeter() {
  const dir = mkdtempSync(join(os.tmpdir(), 'flecs-bench-alloc-'));
  const read = (pid: number): Promise<number> =>
    takeProbeFile<{ allocatedBytes: number }>(join(dir, `alloc-${pid}.json`)).then(
      (probe) => probe.allocatedBytes,
      () => Number.NaN, // the table shows a missing figure; the smoke test fails on it
    );
  return {
    nodeArgs: ['--import', new URL('./alloc-meter.mjs', import.meta.url).href],
    env: { ALLOC_METER_DIR: dir },
    async window<T>(pid: number, work: () => Promise<T>): Promise<{ result: T; allocatedBytes: number }> {
      process.kill(pid, 'SIGUSR2');
      const result = await work();
      process.kill(pid, 'SIGUSR2');
      return { result, allocatedBytes: await read(pid) };
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
