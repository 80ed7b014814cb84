import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { Redis } from 'ioredis';
import { freePort, installed, killedOnExit, reportUnexpectedExit } from './processes.js';

/** Debian's redis-server, when installed (`apt-get install redis-server`; `.ci/run` installs it). */
export const REDIS_SERVER = installed('redis-server');

/** Says loudly, once per test file, that the Redis tests did not run, and how to make them run. */
export function warnRedisMissing(file: string): void {
  process.stderr.write(
    `\n*** SKIPPED ${file}: redis-server is not installed, so the shared-cache (Redis) tests did not run.\n` +
      '*** Install it (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis) and run npm test again.\n\n',
  );
}

export interface RunningRedis {
  url: string;
  port: number;
  /** A client of the test's own, to inspect, flush or stall the server. */
  admin: Redis;
  /** Kills the server (the admin client keeps trying to reconnect, for restart()). */
  stop(): Promise<void>;
  /** Kills the server and closes the admin client: the end of a test file. */
  close(): Promise<void>;
  /** Starts the server again on the same port (after stop), empty. */
  restart(): Promise<void>;
  /** SIGSTOP: the server keeps its connections but answers nothing (a hung Redis), until resume(). */
  pause(): void;
  resume(): void;
}

/** PING over a plain socket until the server answers PONG (a client library would leave timers behind). */
export async function waitForPing(port: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const answered = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.setTimeout(500, () => (socket.destroy(), resolve(false)));
      socket.once('error', () => resolve(false));
      socket.once('connect', () => socket.write('PING\r\n'));
      socket.once('data', (data) => (socket.destroy(), resolve(data.toString().startsWith('+PONG'))));
    });
    if (answered) return;
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not start`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * redis-server with `args` after the loopback, no-persistence defaults (a sentinel's config file
 * goes first, `--sentinel` after). Killed by the tests with SIGKILL; any other exit prints its output.
 */
export function spawnRedisServer(args: string[], first: string[] = []): ChildProcess {
  if (!REDIS_SERVER) throw new Error('redis-server is not installed');
  const all = [...first, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning', ...args];
  const started = killedOnExit(spawn(REDIS_SERVER, all, { stdio: ['ignore', 'pipe', 'pipe'] }));
  let stdout = '';
  let stderr = '';
  started.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  started.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  reportUnexpectedExit(
    'redis-server',
    started,
    () => ({ stdout, stderr }),
    (code, signal) => code === 0 || signal === 'SIGKILL' || signal === 'SIGTERM',
  );
  return started;
}

/** Kills a server with SIGKILL and resolves once it is gone. */
export function killServer(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/** A throwaway redis-server on a free loopback port: no persistence, nothing kept. */
export async function startRedis(extraArgs: string[] = []): Promise<RunningRedis> {
  if (!REDIS_SERVER) throw new Error('redis-server is not installed');
  const port = await freePort();
  const spawnRedis = () => spawnRedisServer(['--port', String(port), ...extraArgs]);
  let child = spawnRedis();
  await waitForPing(port);
  const admin = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1, retryStrategy: () => 50 });
  admin.on('error', () => undefined);
  const stopChild = () => killServer(child);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    admin,
    stop: stopChild,
    async close() {
      await admin.quit().catch(() => admin.disconnect());
      await stopChild();
    },
    pause: () => void child.kill('SIGSTOP'),
    resume: () => void child.kill('SIGCONT'),
    async restart() {
      await stopChild(); // the admin client reconnects by itself
      child = spawnRedis();
      await waitForPing(port);
    },
  };
}
