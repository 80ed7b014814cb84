import { spawn } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ROOT, freePort, startProcess, waitForHealth, type Started } from '../support/processes.js';

/**
 * The runtime stage of the Dockerfile, without Docker: its file selection (the build stage's
 * /runtime tree) applied to this checkout's build, then the gateway started from that tree alone,
 * against a simulator started from the full build. It must run, and hold no simulator or demo.
 */
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');

/** The build stage's `rm -rf` of /runtime paths, as globs relative to /runtime. */
function prunedPaths(): string[] {
  const step = /RUN mkdir -p \/runtime\/dist[\s\S]*?\n(?!\s)/.exec(dockerfile)?.[0] ?? '';
  return [...step.matchAll(/\/runtime\/(dist\/src\/[\w./*-]+)/g)].map((m) => m[1]);
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(join(dir, entry.name)).map((f) => `${entry.name}/${f}`) : [entry.name],
  );
}

describe('the runtime image', () => {
  let tree: string;
  let simulator: Started;
  let gateway: Started | undefined;
  const ports = { main: 0, probes: 0 };
  beforeAll(() => {
    tree = mkdtempSync(join(tmpdir(), 'flecs-graph-runtime-'));
    cpSync(join(ROOT, 'dist/src'), join(tree, 'dist/src'), { recursive: true });
    // As in the image: package.json beside dist (an ES module package) and the dependencies installed.
    copyFileSync(join(ROOT, 'package.json'), join(tree, 'package.json'));
    symlinkSync(join(ROOT, 'node_modules'), join(tree, 'node_modules'), 'dir');
    for (const path of prunedPaths()) {
      const [dir, pattern] = [path.slice(0, path.lastIndexOf('/')), path.slice(path.lastIndexOf('/') + 1)];
      const full = join(tree, dir);
      if (!pattern.includes('*')) rmSync(join(full, pattern), { recursive: true, force: true });
      else if (existsSync(full)) for (const name of readdirSync(full)) if (name.startsWith(pattern.replace('*', ''))) rmSync(join(full, name), { force: true });
    }
  });
  afterAll(async () => {
    await gateway?.stop();
    await simulator?.stop();
    rmSync(tree, { recursive: true, force: true });
  });

  it('should copy the build through the /runtime tree, leaving out the simulator and the demo', () => {
    expect(dockerfile).toMatch(/^COPY --from=build \/runtime\/dist \.\/dist$/m);
    expect(dockerfile).not.toMatch(/^COPY --from=build \/app\/dist\/src/m);
    const files = walk(join(tree, 'dist/src'));
    expect(files).toContain('index.js');
    expect(files.filter((f) => /simulator|demo|dev-runner/.test(f))).toEqual([]);
  });

  it('should start the gateway from that tree alone and answer a query', async () => {
    simulator = startProcess('dist/src/simulator/main.js', { SIMULATOR_PORT: '0' });
    const simUrl = (await simulator.waitFor(/listening on (http:\/\/\S+)/))[1];
    const port = await freePort();
    ports.main = port;
    ports.probes = await freePort();
    gateway = startProcess(join(tree, 'dist/src/index.js'), {
      CONSOLE_URL: simUrl,
      PORT: String(port),
      METRICS_PORT: String(port),
      PROBE_PORT: String(ports.probes),
      HOST: '127.0.0.1',
      NODE_ENV: 'production',
    });
    const url = `http://127.0.0.1:${port}/graphql`;
    await waitForHealth(url);
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ catalog { page } }' }) });
    expect(await res.json()).toEqual({ data: { catalog: { page: 1 } } });
  });

  it("should pass the image's HEALTHCHECK through PROBE_PORT (or PORT without it), and fail it when nothing answers", async () => {
    const command = /^HEALTHCHECK [^\n]*\\\n\s*CMD \["node", "-e", "(.*)"\]$/m.exec(dockerfile)?.[1];
    expect(command).toBeDefined();
    const check = (env: Record<string, string>) =>
      new Promise<number | null>((resolve) => {
        const child = spawn(process.execPath, ['-e', command!], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: 'ignore' });
        child.once('exit', resolve);
      });
    expect(await check({ PROBE_PORT: String(ports.probes), PORT: '1' })).toBe(0);
    expect(await check({ PORT: String(ports.main) })).toBe(0);
    expect(await check({ PROBE_PORT: String(await freePort()), PORT: String(ports.main) })).toBe(1);
  });
});
