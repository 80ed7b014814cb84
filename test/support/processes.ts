import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

/** The repository root: scripts run the built entry points from dist/ as users do. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Started {
  child: ChildProcess;
  output(): { stdout: string; stderr: string };
  waitFor(pattern: RegExp, ms?: number): Promise<RegExpMatchArray>;
  stop(): Promise<number | null>;
}

/** How much of a process's output is kept for the report of an unexpected exit (the end matters most). */
const REPORT_CHARS = 20_000;

/**
 * Writes what a spawned process printed when it exits with a code nobody expected, so that a
 * failure in CI (a gateway answering SIGTERM with exit 1, a simulator crashing) names its cause
 * instead of losing it with the process. Any program a test spawns reports through this.
 */
export function reportUnexpectedExit(
  name: string,
  child: ChildProcess,
  output: () => { stdout: string; stderr: string },
  expected: (code: number | null, signal: NodeJS.Signals | null) => boolean,
): void {
  child.once('exit', (code, signal) => {
    if (expected(code, signal)) return;
    const { stdout, stderr } = output();
    process.stderr.write(
      `\n*** ${name} (pid ${child.pid}) exited with ${code !== null ? `code ${code}` : `signal ${signal}`}; its output follows\n` +
        `--- stdout (last ${REPORT_CHARS} characters)\n${stdout.slice(-REPORT_CHARS)}\n--- stderr\n${stderr.slice(-REPORT_CHARS)}\n*** end of ${name}'s output\n\n`,
    );
  });
}

/**
 * Processes started here and still running: killed when this process exits, however it exits (a
 * benchmark whose floor failed to start, a test file that threw before its afterAll), so that
 * none is left holding a port and a core.
 */
const running = new Set<ChildProcess>();
// Under Jest each test file loads this module anew and its afterAll hooks stop what it started:
// a handler per file would pile up on the one worker process.
if (process.env.JEST_WORKER_ID === undefined)
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
export function killedOnExit<T extends ChildProcess>(child: T): T {
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

/**
 * Runs `node [...nodeArgs] <script>` from the repository root with only PATH and the given
 * environment. `quiet` discards its output (a benchmark must not pay for a pipe it never reads).
 * Exit 0, or death by a signal the test sent, is expected; any other exit prints the process's
 * output (`expectedExitCodes` adds codes a test provokes on purpose, such as a config error's 1).
 */
export function startProcess(
  script: string,
  env: Record<string, string>,
  options: { quiet?: boolean; nodeArgs?: string[]; expectedExitCodes?: number[] } = {},
): Started {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), script], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: options.quiet ? 'ignore' : 'pipe',
  });
  killedOnExit(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const expectedCodes = new Set([0, ...(options.expectedExitCodes ?? [])]);
  reportUnexpectedExit(
    script,
    child,
    () => ({ stdout, stderr }),
    (code, signal) => (code !== null ? expectedCodes.has(code) : signal === 'SIGKILL' || signal === 'SIGTERM'),
  );
  return {
    child,
    output: () => ({ stdout, stderr }),
    async waitFor(pattern, ms = 10_000) {
      const deadline = Date.now() + ms;
      while (!pattern.test(stdout + stderr)) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no ${pattern} in: ${stdout}${stderr}`);
        await new Promise((r) => setTimeout(r, 25));
      }
      return (stdout + stderr).match(pattern)!;
    },
    stop() {
      if (child.exitCode !== null) return Promise.resolve(child.exitCode);
      return new Promise((resolve) => {
        child.once('exit', (code) => resolve(code));
        child.kill('SIGTERM');
      });
    },
  };
}

/** A port that was free a moment ago (for processes whose log level hides their startup line). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Polls /healthz until the gateway answers. */
export async function waitForHealth(url: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      if ((await fetch(url.replace(/\/graphql$/, '/healthz'))).ok) return;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`gateway at ${url} did not become healthy`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * What every gateway a test spawns on loopback needs: /metrics on its main port (no fixed 9464 that
 * parallel gateways would fight over), and no per-client budgets, since every request of a test
 * comes from 127.0.0.1 and loads far beyond 50 operations a second. Tests of the limits set them.
 */
export const LOOPBACK_GATEWAY_ENV = { CLIENT_OPERATIONS_PER_SECOND: '0', CLIENT_CONSOLE_CALLS_PER_SECOND: '0' } as const;

/**
 * A built gateway as users start it, on a loopback port (a free one unless `port` is given), with
 * LOOPBACK_GATEWAY_ENV and /metrics on its own port; resolves once /healthz answers. `options` go to
 * startProcess (a benchmark's gateway is quiet and may carry Node flags).
 */
export async function startGatewayProcess(
  env: Record<string, string>,
  port?: number,
  options: { quiet?: boolean; nodeArgs?: string[] } = {},
): Promise<{ process: Started; url: string; port: number }> {
  const chosen = port ?? (await freePort());
  const process = startProcess(
    'dist/src/index.js',
    {
      PORT: String(chosen),
      METRICS_PORT: String(chosen),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      ...LOOPBACK_GATEWAY_ENV,
      ...env,
    },
    options,
  );
  const url = `http://127.0.0.1:${chosen}/graphql`;
  await waitForHealth(url);
  return { process, url, port: chosen };
}

/** The simulator and the gateway as two processes; resolves with their URLs. */
export async function startProcesses(
  gatewayEnv: Record<string, string> = {},
  simulatorEnv: Record<string, string> = {},
  options: { quietGateway?: boolean; gatewayNodeArgs?: string[] } = {},
) {
  const simulator = startProcess('dist/src/simulator/main.js', { SIMULATOR_PORT: '0', SIMULATOR_ADMIN: '1', ...simulatorEnv });
  const simUrl = (await simulator.waitFor(/listening on (http:\/\/\S+)/))[1];
  const port = await freePort();
  const gateway = startProcess(
    'dist/src/index.js',
    {
      PORT: String(port),
      HOST: '127.0.0.1',
      CONSOLE_URL: simUrl,
      LOG_LEVEL: 'warn',
      ...LOOPBACK_GATEWAY_ENV,
      METRICS_PORT: String(port),
      ...gatewayEnv,
    },
    { quiet: options.quietGateway ?? false, nodeArgs: options.gatewayNodeArgs ?? [] },
  );
  const url = `http://127.0.0.1:${port}/graphql`;
  await waitForHealth(url);
  return { simulator, gateway, simUrl, url };
}

/** The path of an installed program (a Debian package a test needs), or undefined. */
export function installed(program: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${program}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Contends the CPU on purpose: one busy process per core until `stop()`, so that a test of timing
 * (a drain, refusals, probes) runs on a machine as loaded as a busy Kubernetes node and cannot pass
 * only because the runner happened to be idle.
 */
export function contendCpu(processes = availableParallelism()): { stop(): void } {
  const children = Array.from({ length: processes }, () => killedOnExit(spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' })));
  return {
    stop: () => {
      for (const child of children) child.kill('SIGKILL');
    },
  };
}
