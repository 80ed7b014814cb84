import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
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

/**
 * Runs `node [...nodeArgs] <script>` from the repository root with only PATH and the given
 * environment. `quiet` discards its output (a benchmark must not pay for a pipe it never reads).
 */
export function startProcess(script: string, env: Record<string, string>, options: { quiet?: boolean; nodeArgs?: string[] } = {}): Started {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), script], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: options.quiet ? 'ignore' : 'pipe',
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
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

/** The simulator and the gateway as two processes; resolves with their URLs. */
export async function startProcesses(
  gatewayEnv: Record<string, string> = {},
  simulatorEnv: Record<string, string> = {},
  options: { quietGateway?: boolean; gatewayNodeArgs?: string[] } = {},
) {
  const simulator = startProcess('dist/src/simulator/main.js', { SIMULATOR_PORT: '0', SIMULATOR_ADMIN: '1', ...simulatorEnv });
  const simUrl = (await simulator.waitFor(/listening on (http:\/\/\S+)/))[1]!;
  const port = await freePort();
  const gateway = startProcess(
    'dist/src/index.js',
    { PORT: String(port), HOST: '127.0.0.1', CONSOLE_URL: simUrl, LOG_LEVEL: 'warn', ...gatewayEnv },
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
