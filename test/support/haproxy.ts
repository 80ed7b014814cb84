import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, installed, killedOnExit, reportUnexpectedExit } from './processes.js';

/** Debian's haproxy, when installed (`apt-get install haproxy`; `.ci/run` installs it). */
export const HAPROXY = installed('haproxy');

export interface RunningHaproxy {
  url: string;
  stop(): Promise<void>;
}

/**
 * haproxy in front of gateways on loopback ports, as a Kubernetes Service with readiness probes
 * behaves: round robin, an active check of /readyz every 200 ms (two failures in a row take a
 * gateway out, two successes put it back), and a retry elsewhere when a connection fails or closes
 * empty. A check may take 1 s, as a probe may (deploy/kubernetes: 2 s, three failures): with the
 * check bounded by `inter` (200 ms) and one failure enough, a gateway answering /readyz late on a
 * saturated machine was taken out while ready, and once two were out beside the one restarting,
 * haproxy answered 503 pages for 200 ms (41 requests of a rolling restart in one CI run).
 */
export async function startHaproxy(backendPorts: number[]): Promise<RunningHaproxy> {
  if (!HAPROXY) throw new Error('haproxy is not installed');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'flecs-graph-haproxy-'));
  const config = [
    'global',
    '  maxconn 2000',
    'defaults',
    '  mode http',
    '  timeout connect 500ms',
    '  timeout client 30s',
    '  timeout server 30s',
    '  timeout http-keep-alive 5s',
    '  timeout check 1s',
    '  retries 3',
    '  option redispatch 1',
    '  retry-on conn-failure empty-response response-timeout',
    'frontend graph',
    `  bind 127.0.0.1:${port}`,
    '  default_backend gateways',
    'backend gateways',
    '  balance roundrobin',
    '  option httpchk GET /readyz',
    '  http-check expect status 200',
    '  default-server inter 200ms fastinter 100ms downinter 200ms fall 2 rise 2',
    ...backendPorts.map((p, i) => `  server gateway${i} 127.0.0.1:${p} check`),
    '',
  ].join('\n');
  writeFileSync(join(dir, 'haproxy.cfg'), config);
  const child: ChildProcess = killedOnExit(spawn(HAPROXY, ['-db', '-f', join(dir, 'haproxy.cfg')], { stdio: ['ignore', 'pipe', 'pipe'] }));
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout = (stdout + d.toString()).slice(-50_000)));
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-50_000)));
  // Stopped with SIGTERM (haproxy then exits 0, or 143 as a signal's conventional code).
  reportUnexpectedExit(
    'haproxy',
    child,
    () => ({ stdout, stderr }),
    (code, signal) => code === 0 || code === 143 || signal === 'SIGTERM',
  );
  const url = `http://127.0.0.1:${port}/graphql`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await fetch(url.replace(/\/graphql$/, '/healthz'));
      break;
    } catch {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error('haproxy did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        const done = () => (rmSync(dir, { recursive: true, force: true }), resolve());
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once('exit', done);
        child.kill('SIGTERM');
      }),
  };
}
