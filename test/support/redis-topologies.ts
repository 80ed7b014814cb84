import { execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePort, installed } from './processes.js';
import { killServer, spawnRedisServer, waitForPing } from './redis.js';

const run = promisify(execFile);

/** redis-cli, which `redis-cli --cluster create` needs (Debian's redis-tools, installed with redis-server). */
export const REDIS_CLI = installed('redis-cli');
/** openssl, to make a private CA and a server certificate for the TLS test. */
export const OPENSSL = installed('openssl');

/** One redis-server of a topology: its port, and SIGKILL for a failover test. */
export interface TopologyNode {
  port: number;
  child: ChildProcess;
  kill(): Promise<void>;
}

/** A question to one node over a short-lived connection of the test's own. */
export async function ask(port: number, ...command: string[]): Promise<string> {
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return String(await client.call(command[0], ...command.slice(1)));
  } finally {
    client.disconnect();
  }
}

async function until(what: string, check: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function node(port: number, child: ChildProcess): TopologyNode {
  return { port, child, kill: () => killServer(child) };
}

/**
 * A Redis Cluster of three primaries with a replica each, as `redis-cli --cluster create` makes
 * it, on free loopback ports; resolves once every node says `cluster_state:ok`. A replica takes
 * over a killed primary a few seconds after `cluster-node-timeout` (1 s here).
 */
export async function startRedisCluster(): Promise<{ nodes: TopologyNode[]; urls: string[]; primaries(): Promise<number[]>; close(): Promise<void> }> {
  if (!REDIS_CLI) throw new Error('redis-cli is not installed');
  const dir = mkdtempSync(join(tmpdir(), 'flecs-graph-cluster-'));
  const nodes: TopologyNode[] = [];
  for (let i = 0; i < 6; i += 1) {
    const port = await freePort();
    const child = spawnRedisServer([
      '--port',
      String(port),
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      join(dir, `nodes-${port}.conf`),
      '--cluster-node-timeout',
      '1000',
      // A replica may take over however long ago it last heard its primary (the test's primary dies young).
      '--cluster-replica-validity-factor',
      '0',
      '--dir',
      dir,
    ]);
    nodes.push(node(port, child));
  }
  for (const n of nodes) await waitForPing(n.port);
  await run(REDIS_CLI, ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '1', '--cluster-yes'], { timeout: 30_000 });
  for (const n of nodes) await until(`cluster node ${n.port}`, async () => (await ask(n.port, 'CLUSTER', 'INFO')).includes('cluster_state:ok'));
  // Every replica holds its primary's data before a test may kill one.
  for (const n of nodes)
    await until(`cluster node ${n.port} in sync`, async () => {
      const replication = await ask(n.port, 'INFO', 'replication');
      return replication.includes('role:master') || replication.includes('master_link_status:up');
    });
  return {
    nodes,
    urls: nodes.slice(0, 3).map((n) => `redis://127.0.0.1:${n.port}`),
    async primaries() {
      const alive = nodes.filter((n) => n.child.exitCode === null && n.child.signalCode === null);
      const roles = await Promise.all(alive.map(async (n) => ((await ask(n.port, 'ROLE').catch(() => '')).startsWith('master') ? n.port : 0)));
      return roles.filter((p) => p !== 0);
    },
    async close() {
      for (const n of nodes) await n.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A primary, its replica and three sentinels that watch it as `mymaster` (quorum 2, down after
 * 1 s); resolves once the sentinels know the replica. Killing the primary makes the replica the
 * new primary within a few seconds.
 */
export async function startRedisSentinels(): Promise<{
  primary: TopologyNode;
  replica: TopologyNode;
  sentinelUrls: string[];
  name: string;
  currentPrimary(): Promise<number>;
  close(): Promise<void>;
}> {
  const dir = mkdtempSync(join(tmpdir(), 'flecs-graph-sentinel-'));
  const name = 'mymaster';
  const primaryPort = await freePort();
  const primary = node(primaryPort, spawnRedisServer(['--port', String(primaryPort), '--dir', dir]));
  await waitForPing(primaryPort);
  const replicaPort = await freePort();
  const replica = node(replicaPort, spawnRedisServer(['--port', String(replicaPort), '--replicaof', '127.0.0.1', String(primaryPort), '--dir', dir]));
  await waitForPing(replicaPort);
  await until('the replica to sync', async () => (await ask(replicaPort, 'INFO', 'replication')).includes('master_link_status:up'));
  const sentinels: TopologyNode[] = [];
  for (let i = 0; i < 3; i += 1) {
    const port = await freePort();
    const file = join(dir, `sentinel-${port}.conf`);
    // A sentinel rewrites its own config file: it must be one of its own, writable.
    writeFileSync(
      file,
      [
        `port ${port}`,
        `sentinel monitor ${name} 127.0.0.1 ${primaryPort} 2`,
        `sentinel down-after-milliseconds ${name} 1000`,
        `sentinel failover-timeout ${name} 5000`,
        `sentinel parallel-syncs ${name} 1`,
        '',
      ].join('\n'),
    );
    sentinels.push(node(port, spawnRedisServer(['--sentinel'], [file])));
  }
  for (const s of sentinels) await waitForPing(s.port);
  await until('the sentinels to see the replica', async () => (await ask(sentinels[0].port, 'SENTINEL', 'REPLICAS', name)).includes(String(replicaPort)));
  return {
    primary,
    replica,
    sentinelUrls: sentinels.map((s) => `redis://127.0.0.1:${s.port}`),
    name,
    async currentPrimary() {
      const client = new Redis({ port: sentinels[0].port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
      try {
        const answer = (await client.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name)) as string[];
        return Number(answer[1]);
      } finally {
        client.disconnect();
      }
    },
    async close() {
      for (const s of sentinels) await s.kill();
      await replica.kill();
      await primary.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A private CA and a certificate it signed for 127.0.0.1 and localhost, made with openssl in a
 * temporary directory: what a Memorystore or a self-hosted Redis with TLS hands its clients.
 */
export async function makeCertificates(): Promise<{ dir: string; ca: string; cert: string; key: string; close(): void }> {
  if (!OPENSSL) throw new Error('openssl is not installed');
  const dir = mkdtempSync(join(tmpdir(), 'flecs-graph-tls-'));
  const path = (f: string) => join(dir, f);
  const openssl = (...args: string[]) => run(OPENSSL, args, { cwd: dir, timeout: 30_000 });
  await openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=flecs-graph test CA',
    '-keyout',
    path('ca.key'),
    '-out',
    path('ca.crt'),
  );
  await openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', path('server.key'), '-out', path('server.csr'));
  writeFileSync(path('ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  await openssl(
    'x509',
    '-req',
    '-in',
    path('server.csr'),
    '-CA',
    path('ca.crt'),
    '-CAkey',
    path('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    path('ext.cnf'),
    '-out',
    path('server.crt'),
  );
  return { dir, ca: path('ca.crt'), cert: path('server.crt'), key: path('server.key'), close: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A redis-server that speaks only TLS, with the certificate `makeCertificates` made (clients need no certificate of their own). */
export async function startTlsRedis(certs: { ca: string; cert: string; key: string }): Promise<{ url: string; port: number; close(): Promise<void> }> {
  const port = await freePort();
  const child = spawnRedisServer([
    '--port',
    '0',
    '--tls-port',
    String(port),
    '--tls-cert-file',
    certs.cert,
    '--tls-key-file',
    certs.key,
    '--tls-ca-cert-file',
    certs.ca,
    '--tls-auth-clients',
    'no',
  ]);
  // A plain PING cannot reach a TLS port: wait until it accepts connections.
  await until(`TLS redis-server on ${port}`, async () => {
    const net = await import('node:net');
    return new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
  });
  return { url: `rediss://127.0.0.1:${port}`, port, close: () => killServer(child) };
}
