import { once } from 'node:events';
import { afterEach, describe, expect, it } from '@jest/globals';
import { print } from 'graphql';
import { DashboardDocument } from '../generated/graphql.js';
import { LOOPBACK_GATEWAY_ENV, startProcess, type Started } from '../support/processes.js';

/** The built entry points as users run them (`npm test` builds first): real processes, real ports. */
const started: Started[] = [];
afterEach(() => {
  for (const process of started.splice(0)) process.child.kill('SIGKILL');
});

function run(script: string, env: Record<string, string>, expectedExitCodes: number[] = []): Started {
  const process = startProcess(script, { METRICS_PORT: '0', ...LOOPBACK_GATEWAY_ENV, ...env }, { expectedExitCodes });
  started.push(process);
  return process;
}

/** Logs the demo user in through the gateway and returns the token. */
async function loginThrough(url: string): Promise<string> {
  const login = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: 'mutation { login(username: "demo", password: "password") { token } }' }),
  });
  return ((await login.json()) as { data: { login: { token: string } } }).data.login.token;
}

describe('the built processes', () => {
  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ CONSOLE_URL: 'not a url' }, 'CONSOLE_URL'],
    [{ UPSTREAM_TIMEOUT_MS: '-5' }, 'UPSTREAM_TIMEOUT_MS'],
  ])('should stop `npm start` with %p on one clear line and exit code 1', async (env, variable) => {
    const gateway = run('dist/src/index.js', env, [1]);
    const [code] = (await once(gateway.child, 'exit')) as [number];
    expect(code).toBe(1);
    const lines = gateway.output().stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^flecs-graph: invalid configuration: ${variable} `));
  });

  it('should answer the dashboard with a simulator and a gateway started as users start them', async () => {
    const simulator = run('dist/src/simulator/main.js', { SIMULATOR_PORT: '0' });
    const simUrl = (await simulator.waitFor(/listening on (http:\/\/\S+)/))[1];
    const gateway = run('dist/src/index.js', { PORT: '0', HOST: '127.0.0.1', CONSOLE_URL: simUrl, LOG_LEVEL: 'info' });
    const url = (JSON.parse((await gateway.waitFor(/\{.*"gateway listening".*\}/))[0]) as { url: string }).url;

    const token = await loginThrough(url);
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: print(DashboardDocument) }),
    });
    const body = (await res.json()) as { data: { me: { products: { items: unknown[] }; subscriptions: { items: unknown[] } } }; errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(body.data.me.products.items.length).toBeGreaterThan(0);
    expect(body.data.me.subscriptions.items.length).toBeGreaterThanOrEqual(5);

    gateway.child.kill('SIGTERM');
    const [code] = (await once(gateway.child, 'exit')) as [number];
    expect(code).toBe(0);
    expect(gateway.output().stdout + gateway.output().stderr).not.toContain(token);
  });

  it('should start the demo with a Sandbox that holds a working demo token', async () => {
    const demo = run('dist/src/demo.js', { PORT: '0', SIMULATOR_PORT: '0', HOST: '127.0.0.1' });
    const url = (await demo.waitFor(/Explorer:\s+(http:\/\/\S+)/))[1];
    expect(demo.output().stdout).toContain('demo / password');
    const html = await (await fetch(url, { headers: { accept: 'text/html' } })).text();
    const token = /Bearer ([A-Za-z0-9\-_.]+)/.exec(html)?.[1];
    expect(token).toBeDefined();
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ me { products { items { id } } } }' }),
    });
    const body = (await res.json()) as { data: { me: { products: { items: unknown[] } } } };
    expect(body.data.me.products.items.length).toBeGreaterThan(0);
  });

  it('should drain 100 in-flight requests on SIGTERM against a slow Console, answer them all, and exit 0', async () => {
    const simulator = run('dist/src/simulator/main.js', { SIMULATOR_PORT: '0', SIMULATOR_ADMIN: '1' });
    const simUrl = (await simulator.waitFor(/listening on (http:\/\/\S+)/))[1];
    const setFault = await fetch(`${simUrl}/__admin/faults`, { method: 'POST', body: JSON.stringify({ route: 'GET /api/v2/my/products', latencyMs: 700 }) });
    expect(setFault.status).toBe(200);
    const gateway = run('dist/src/index.js', {
      PORT: '0',
      HOST: '127.0.0.1',
      CONSOLE_URL: simUrl,
      SHUTDOWN_DELAY_MS: '1000',
      SHUTDOWN_TIMEOUT_MS: '5000',
    });
    const url = (JSON.parse((await gateway.waitFor(/\{.*"gateway listening".*\}/))[0]) as { url: string }).url;
    const token = await loginThrough(url);
    const inFlight = Array.from({ length: 100 }, () =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: '{ me { products { items { id } } } }' }),
      }).then(async (res) => ({ status: res.status, body: (await res.json()) as { data?: { me?: { products?: { items: unknown[] } } }; errors?: unknown } })),
    );
    // Let every request reach the gateway and the slow Console, then ask it to stop.
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      const stats = (await (await fetch(`${simUrl}/__admin/stats`)).json()) as { requests: Record<string, number> };
      if ((stats.requests['GET /api/v2/my/products'] ?? 0) >= 100) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    gateway.child.kill('SIGTERM');
    // Order, not a timer: once it says it drains, /readyz answers 503 for SHUTDOWN_DELAY_MS.
    await gateway.waitFor(/"msg":"draining"/);
    const ready = await fetch(url.replace('/graphql', '/readyz'));
    expect(ready.status).toBe(503);
    const answers = await Promise.all(inFlight);
    expect(answers.filter((a) => a.status === 200 && a.body.errors === undefined && (a.body.data?.me?.products?.items.length ?? 0) > 0)).toHaveLength(100);
    const [code] = (await once(gateway.child, 'exit')) as [number];
    expect(code).toBe(0);
    expect(gateway.output().stderr).toMatch(/"finished":true,"msg":"stopped"/);
  }, 30_000);

  it('should answer with Connection: close during SHUTDOWN_DELAY_MS, cut what still runs at SHUTDOWN_TIMEOUT_MS, log the count, and exit 0', async () => {
    const simulator = run('dist/src/simulator/main.js', { SIMULATOR_PORT: '0', SIMULATOR_ADMIN: '1' });
    const simUrl = (await simulator.waitFor(/listening on (http:\/\/\S+)/))[1];
    await fetch(`${simUrl}/__admin/faults`, { method: 'POST', body: JSON.stringify({ route: 'GET /api/v2/products', latencyMs: 8000 }) });
    const gateway = run('dist/src/index.js', {
      PORT: '0',
      HOST: '127.0.0.1',
      CONSOLE_URL: simUrl,
      LOG_LEVEL: 'info',
      SHUTDOWN_DELAY_MS: '800',
      SHUTDOWN_TIMEOUT_MS: '500',
    });
    const url = (JSON.parse((await gateway.waitFor(/\{.*"gateway listening".*\}/))[0]) as { url: string }).url;
    const slow = fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ catalog { page } }' }) }).then(
      (res) => `answered ${res.status}`,
      () => 'cut',
    );
    await new Promise((r) => setTimeout(r, 300));
    const signalled = Date.now();
    gateway.child.kill('SIGTERM');
    await gateway.waitFor(/"msg":"draining"/);
    // Within the delay: still served, but every answer asks the client to close its connection.
    const during = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) });
    expect(during.status).toBe(200);
    expect(during.headers.get('connection')).toBe('close');
    expect((await fetch(url.replace('/graphql', '/readyz'))).status).toBe(503);
    const [code] = (await once(gateway.child, 'exit')) as [number];
    expect(code).toBe(0);
    expect(await slow).toBe('cut');
    // Delay + timeout, then it stops: not the 8 s the Console would have taken.
    expect(Date.now() - signalled).toBeLessThan(4000);
    expect(gateway.output().stderr).toMatch(/"cut":1,.*"msg":"requests still running at SHUTDOWN_TIMEOUT_MS were cut"/);
    expect(gateway.output().stderr).toMatch(/"cut":1,.*"finished":false,"msg":"stopped"/);
  }, 30_000);

  it('should exit at once with 128 + the signal number on a second signal while a Console call of 8 s is in flight', async () => {
    const simulator = run('dist/src/simulator/main.js', { SIMULATOR_PORT: '0', SIMULATOR_ADMIN: '1' });
    const simUrl = (await simulator.waitFor(/listening on (http:\/\/\S+)/))[1];
    await fetch(`${simUrl}/__admin/faults`, { method: 'POST', body: JSON.stringify({ route: 'GET /api/v2/products', latencyMs: 8000 }) });
    const gateway = run('dist/src/index.js', { PORT: '0', HOST: '127.0.0.1', CONSOLE_URL: simUrl, SHUTDOWN_TIMEOUT_MS: '20000' }, [130]);
    const url = (JSON.parse((await gateway.waitFor(/\{.*"gateway listening".*\}/))[0]) as { url: string }).url;
    const slow = fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ catalog { page } }' }) }).catch(
      () => 'cut',
    );
    await new Promise((r) => setTimeout(r, 300)); // the call is on its way to the Console
    const signalled = Date.now();
    gateway.child.kill('SIGTERM');
    await gateway.waitFor(/"msg":"draining"/);
    gateway.child.kill('SIGINT');
    const [code] = (await once(gateway.child, 'exit')) as [number];
    // The drain alone would have waited for the 8 s call; the second signal ends it well before.
    expect(Date.now() - signalled).toBeLessThan(4000);
    expect(code).toBe(130);
    expect(gateway.output().stderr).toMatch(/"signal":"SIGINT".*"msg":"second signal: exiting at once/);
    expect(await slow).toBe('cut');
  }, 30_000);
});

describe('npm run dev', () => {
  it('should restart on every save under src/, also after an editor saved by writing a new file and renaming it', async () => {
    const { freePort, waitForHealth } = await import('../support/processes.js');
    const { writeFileSync, renameSync, appendFileSync, rmSync } = await import('node:fs');
    const port = await freePort();
    const probe = 'src/zz-dev-probe.tmp.ts'; // ignored by git (*.tmp.ts); imported by nothing
    const dev = startProcess(
      'src/dev-runner.ts',
      { PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', CONSOLE_URL: 'http://127.0.0.1:9' },
      { nodeArgs: ['--import', '@swc-node/register/esm-register'] },
    );
    started.push(dev);
    const url = `http://127.0.0.1:${port}/graphql`;
    const restarts = () => (dev.output().stderr.match(/changed, restarting/g) ?? []).length;
    const waitForRestart = async (count: number) => {
      const deadline = Date.now() + 10_000;
      while (restarts() < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(restarts()).toBe(count);
      await waitForHealth(url);
    };
    try {
      await waitForHealth(url, 20_000);
      writeFileSync(`${probe}.new`, 'export const probe = 1;\n');
      renameSync(`${probe}.new`, probe); // a "safe write"
      await waitForRestart(1);
      appendFileSync(probe, 'export const again = 2;\n'); // a plain save of the renamed file
      await waitForRestart(2);
      writeFileSync(`${probe}.new`, 'export const probe = 3;\n');
      renameSync(`${probe}.new`, probe);
      await waitForRestart(3);
    } finally {
      rmSync(probe, { force: true });
      rmSync(`${probe}.new`, { force: true });
      await dev.stop();
    }
  }, 60_000);

  it('should leave no gateway behind when it is stopped while a restart is under way', async () => {
    const { freePort, waitForHealth } = await import('../support/processes.js');
    const { writeFileSync, rmSync } = await import('node:fs');
    const port = await freePort();
    const probe = 'src/zz-dev-stop-probe.tmp.ts'; // ignored by git (*.tmp.ts); imported by nothing
    const dev = startProcess(
      'src/dev-runner.ts',
      { PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', CONSOLE_URL: 'http://127.0.0.1:9' },
      { nodeArgs: ['--import', '@swc-node/register/esm-register'] },
    );
    started.push(dev);
    const health = `http://127.0.0.1:${port}/healthz`;
    try {
      await waitForHealth(`http://127.0.0.1:${port}/graphql`, 20_000);
      writeFileSync(probe, 'export const probe = 1;\n');
      await dev.waitFor(/changed, restarting/);
      // SIGTERM while the old gateway drains and before the new one starts.
      expect(await dev.stop()).toBe(0);
    } finally {
      rmSync(probe, { force: true });
    }
    // A gateway spawned by the interrupted restart would be listening within a couple of seconds.
    await new Promise((r) => setTimeout(r, 2500));
    await expect(fetch(health)).rejects.toThrow();
  }, 60_000);
});

describe('processes the tests and benchmarks start', () => {
  it('should leave no simulator or busy process behind when the script that started them fails', async () => {
    // A benchmark or soak run that throws after starting its processes (a floor that did not
    // start, a login that failed): what it started dies with it instead of holding a port and a core.
    const script = [
      "import { readFileSync } from 'node:fs';",
      "import { contendCpu, startProcess } from './test/support/processes.ts';",
      "const simulator = startProcess('dist/src/simulator/main.js', { SIMULATOR_PORT: '0' });",
      'await simulator.waitFor(/listening on/);',
      'contendCpu(1);',
      "console.log('CHILDREN ' + readFileSync(`/proc/self/task/${process.pid}/children`, 'utf8').trim());",
      "throw new Error('the run failed after starting its processes');",
    ].join('\n');
    const { spawn } = await import('node:child_process');
    const { ROOT } = await import('../support/processes.js');
    const failing = spawn(process.execPath, ['--import', '@swc-node/register/esm-register', '--input-type=module', '--eval', script], {
      cwd: ROOT,
      // A script as `npm run bench` runs it: not a Jest worker (whose test files stop what they start themselves).
      env: { PATH: process.env.PATH ?? '' },
    });
    let output = '';
    failing.stdout.on('data', (d: Buffer) => (output += d.toString()));
    failing.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const [code] = (await once(failing, 'exit')) as [number];
    expect(code).toBe(1);
    expect(output).toContain('the run failed after starting its processes');
    const children = (/CHILDREN ([\d ]+)/.exec(output)?.[1] ?? '').split(' ').map(Number);
    expect(children).toHaveLength(2); // the simulator and the busy process
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    // SIGKILLed by the failing process's exit handler: gone within a moment (a zombie is reaped by init).
    for (let i = 0; i < 40 && children.some(alive); i += 1) await new Promise((r) => setTimeout(r, 50));
    expect(children.filter(alive)).toEqual([]);
  }, 60_000);
});
