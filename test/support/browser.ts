import { afterAll, beforeAll } from '@jest/globals';
import { chromium, type Browser, type Page, type Route } from 'playwright-core';
import { installed, startProcess, type Started } from './processes.js';

/** Debian's chromium (`apt-get install chromium`; `.ci/run` installs it), or CHROMIUM_PATH. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? installed('chromium') ?? installed('chromium-browser');

/** Says loudly, once per test file, that the browser tests did not run, and how to make them run. */
export function warnChromiumMissing(file: string): void {
  process.stderr.write(
    `\n*** SKIPPED ${file}: no chromium is installed, so the real-browser tests did not run.\n` +
      '*** Install it (Debian/Ubuntu: apt-get install chromium), or set CHROMIUM_PATH, and run npm test again.\n\n',
  );
}

/**
 * Headless Chromium as a closed network needs it: no background connections of its own (updates,
 * sync, Google lookups), a fresh profile, no sandbox (CI runs as root).
 */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM!,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

export function isLoopback(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'data:' || LOOPBACK.has(parsed.hostname);
  } catch {
    return false;
  }
}

/** What a page asked for, in order, with the bodies of its POSTs. */
export interface RecordedRequest {
  method: string;
  url: string;
  resourceType: string;
  body: string | null;
  headers: Record<string, string>;
}

/**
 * A page with no route to the internet: every request that leaves loopback fails as a disconnected
 * network does, unless `outside` handled it (answered it, or holds it) and returned true. Loopback
 * requests go through as they are. Every request is recorded.
 */
export async function offlinePage(
  browser: Browser,
  outside?: (route: Route) => Promise<boolean>,
): Promise<{ page: Page; requests: RecordedRequest[]; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 760 } });
  const page = await context.newPage();
  const requests: RecordedRequest[] = [];
  const errors: string[] = [];
  page.on('request', (r) => requests.push({ method: r.method(), url: r.url(), resourceType: r.resourceType(), body: r.postData(), headers: r.headers() }));
  page.on('pageerror', (e) => errors.push(e.message));
  await context.route(
    (url) => !isLoopback(url.href),
    async (route) => {
      if (outside && (await outside(route))) return;
      await route.abort('internetdisconnected');
    },
  );
  return { page, requests, errors };
}

/** `npm run demo` as a user starts it (after its build), on free ports; the addresses it printed. */
export interface RunningDemo {
  process: Started;
  explorerUrl: string;
  exampleUrl: string;
  simulatorUrl: string;
  /** Sets a fault on one Console route through the simulator's admin interface. */
  fault(route: string, fault: { status?: number; latencyMs?: number }): Promise<void>;
  clearFaults(): Promise<void>;
}

export async function startDemo(env: Record<string, string> = {}): Promise<RunningDemo> {
  const demo = startProcess('dist/src/demo.js', {
    PORT: '0',
    SIMULATOR_PORT: '0',
    EXAMPLE_PORT: '0',
    METRICS_PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    ...env,
  });
  const explorerUrl = (await demo.waitFor(/Explorer:\s+(http:\/\/\S+)/, 30_000))[1];
  const exampleUrl = (await demo.waitFor(/Example frontend:\s+(http:\/\/\S+)/))[1];
  const simulatorUrl = (await demo.waitFor(/Console simulator:\s+(http:\/\/\S+)/))[1];
  const admin = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${simulatorUrl}/__admin/${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    if (!res.ok) throw new Error(`admin ${method} ${path}: ${res.status}`);
  };
  return {
    process: demo,
    explorerUrl,
    exampleUrl,
    simulatorUrl,
    fault: (route, fault) => admin('POST', 'faults', { route, ...fault }),
    clearFaults: () => admin('DELETE', 'faults'),
  };
}

/** For a test file: the demo and a browser, started before its tests and stopped after them. */
export function useDemoInBrowser(env: Record<string, string> = {}): { readonly demo: RunningDemo; readonly browser: Browser } {
  const running = {} as { demo: RunningDemo; browser: Browser };
  beforeAll(async () => {
    [running.demo, running.browser] = await Promise.all([startDemo(env), launchBrowser()]);
  }, 60_000);
  afterAll(async () => {
    await running.browser?.close();
    await running.demo?.process.stop();
  });
  return running;
}
