/**
 * `npm run profile` with PROFILE_KIND=perf: Linux perf on the gateway's process. V8's profiler
 * samples wall time, so a socket write during which the process is descheduled (on a small machine,
 * while the load generator reads) looks several times bigger there than the CPU it costs; perf
 * counts CPU time, the kernel's included. The gateway runs with `--perf-basic-prof` so that perf
 * can name its JIT-compiled functions (a name may be wrong once V8 reuses a code address).
 */
import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';

/** Undefined when perf can be used; otherwise what to do about it. */
export function perfMissing(): string | undefined {
  const probe = spawnSync('perf', ['--version'], { encoding: 'utf8' });
  return probe.status === 0 ? undefined : 'PROFILE_KIND=perf needs Linux perf (Debian: apt-get install linux-perf).';
}

/** Records `pid` for `seconds` (call graphs, ~1,000 samples a second) into `file`. */
export function recordPerf(pid: number, seconds: number, file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const perf = spawn('perf', ['record', '-F', '999', '-g', '-p', String(pid), '-o', file, '--', 'sleep', String(seconds)], { stdio: 'ignore' });
    perf.once('error', reject);
    perf.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`perf record exited with ${code}`))));
  });
}

/**
 * The functions with the most CPU under them (their callees included), the kernel's share, and
 * nothing of the process's memory: perf's own report, cut to the lines worth reading.
 */
export function reportPerf(file: string, pid: number, lines = 40): string {
  const report = spawnSync('perf', ['report', '-i', file, '--children', '--sort', 'sym', '-g', 'none', '--stdio'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  // Node writes the names of its compiled code here (--perf-basic-prof); perf has read them.
  rmSync(`/tmp/perf-${pid}.map`, { force: true });
  if (report.status !== 0) return `perf report failed: ${report.stderr}`;
  const rows = report.stdout.split('\n').filter((line) => /^\s+\d/.test(line));
  const kernel = rows.filter((line) => line.includes('[k]')).reduce((sum, line) => sum + Number(line.trim().split(/\s+/)[1].replace('%', '')), 0);
  const functions = rows.filter((line) => line.includes('JS:'));
  return [`kernel (self): ${kernel.toFixed(1)} %`, 'children % / self % of the CPU, JavaScript frames:', ...functions.slice(0, lines)].join('\n');
}
