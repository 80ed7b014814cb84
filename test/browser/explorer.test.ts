/// <reference lib="dom" />
// (page.evaluate and waitForFunction bodies run in the browser)
import { describe, expect, it } from '@jest/globals';
import { buildUserData } from '../../src/simulator/users.js';
import { CHROMIUM, offlinePage, useDemoInBrowser, warnChromiumMissing } from '../support/browser.js';

/**
 * `npm run demo`'s explorer in a real browser on a machine without internet: the page tries
 * Apollo's CDN once, then falls back to the GraphiQL the gateway serves itself (README.md, Quick start).
 */
const suite = CHROMIUM ? describe : describe.skip;
if (!CHROMIUM) warnChromiumMissing('test/browser/explorer.test.ts');

const SANDBOX_CDN = 'embeddable-sandbox.cdn.apollographql.com';
const demoUser = buildUserData(0, 10);

suite('the explorer at /graphql in Chromium', () => {
  const running = useDemoInBrowser();

  it("should fall back to the local GraphiQL when Apollo's CDN is unreachable, and run the pre-filled dashboard", async () => {
    const { page, requests, errors } = await offlinePage(running.browser);
    const started = Date.now();
    await page.goto(running.demo.explorerUrl);
    await page.waitForSelector('#explorer[data-fallback-reason="unreachable"]', { timeout: 10_000 });
    await page.waitForSelector('.graphiql-execute-button', { timeout: 20_000 });
    const fellBackAfterMs = Date.now() - started;
    // Pre-filled like the Sandbox: the dashboard in the editor, the demo's token in the headers.
    await page.waitForFunction(
      () => /query\s+Dashboard/.test(document.querySelector('.graphiql-query-editor')?.textContent?.replace(/\u00a0/g, ' ') ?? ''),
      null,
      { timeout: 10_000 },
    );
    await page.click('.graphiql-execute-button');
    await page.waitForFunction(() => document.querySelector('.result-window')?.textContent?.includes('"products"'), null, { timeout: 15_000 });
    // Monaco draws spaces as U+00A0 and only the lines in view (the first products are).
    const result = ((await page.textContent('.result-window')) ?? '').replace(/\u00a0/g, ' ');
    // The result pane shows the demo user's own products (the simulator's data, first page).
    for (const product of demoUser.products.slice(0, 3)) expect(result).toContain(product.name);
    expect(result).not.toContain('UNAUTHENTICATED');
    if (process.env.SCREENSHOT_DIR) await page.screenshot({ path: `${process.env.SCREENSHOT_DIR}/offline-explorer.png` });
    // One attempt at Apollo's CDN; everything else on loopback (the explorer's files come from the gateway).
    const outside = requests.filter((r) => !r.url.startsWith('http://127.0.0.1') && !r.url.startsWith('data:'));
    expect(outside.map((r) => new URL(r.url).hostname)).toEqual([SANDBOX_CDN]);
    expect(requests.some((r) => r.url.includes('/explorer/assets/'))).toBe(true);
    expect(errors).toEqual([]);
    expect(fellBackAfterMs).toBeLessThan(20_000);
  }, 60_000);

  it('should fall back within a few seconds when the CDN hangs instead of failing', async () => {
    const hanging: Array<() => void> = [];
    // A proxy that swallows the request: nothing comes back, no error either.
    const { page } = await offlinePage(running.browser, (route) => {
      if (!route.request().url().includes(SANDBOX_CDN)) return Promise.resolve(false);
      return new Promise<boolean>((resolve) => hanging.push(() => resolve(true)));
    });
    const started = Date.now();
    await page.goto(running.demo.explorerUrl, { waitUntil: 'domcontentloaded' });
    await page.waitForSelector('#explorer[data-fallback-reason="timeout"]', { timeout: 10_000 });
    const waited = Date.now() - started;
    await page.waitForSelector('.graphiql-execute-button', { timeout: 20_000 });
    expect(waited).toBeGreaterThanOrEqual(3_500);
    expect(waited).toBeLessThan(9_000);
    await page.context().close();
    hanging.forEach((release) => release());
  }, 60_000);

  it('should hand the Apollo Sandbox the endpoint, the dashboard document and a working token header when its CDN answers', async () => {
    // Apollo's script, as the CDN would send it, replaced by one that records how the page configured it.
    const { page, requests } = await offlinePage(running.browser, async (route) => {
      if (!route.request().url().includes(SANDBOX_CDN)) return false;
      await route.fulfill({
        contentType: 'text/javascript',
        body: 'window.EmbeddedSandbox = function (options) { window.__sandboxOptions = options; document.querySelector(options.target).textContent = "sandbox"; };',
      });
      return true;
    });
    await page.goto(running.demo.explorerUrl);
    await page.waitForSelector('#explorer[data-explorer="sandbox"]', { timeout: 10_000 });
    const options = (await page.evaluate(() => (window as unknown as { __sandboxOptions: unknown }).__sandboxOptions)) as {
      target: string;
      initialEndpoint: string;
      initialState: { document: string; headers: Record<string, string>; includeCookies: boolean };
    };
    expect(options.target).toBe('#explorer');
    expect(options.initialEndpoint).toBe(running.demo.explorerUrl);
    expect(options.initialState.document).toContain('query Dashboard');
    expect(options.initialState.includeCookies).toBe(false);
    const authorization = options.initialState.headers.Authorization ?? '';
    expect(authorization).toMatch(/^Bearer \S+$/);
    // The token it was given works: the dashboard it was given answers with the user's data.
    const res = await fetch(running.demo.explorerUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify({ query: options.initialState.document }),
    });
    const body = (await res.json()) as { data?: { me?: { products?: { items: Array<{ name: string }> } } }; errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(body.data?.me?.products?.items.map((p) => p.name)).toEqual(demoUser.products.slice(0, 10).map((p) => p.name));
    // The Sandbox came up: the local explorer was never fetched.
    expect(requests.some((r) => r.url.includes('/explorer/assets/'))).toBe(false);
  }, 60_000);
});

suite('the explorer with GRAPHQL_EXPLORER=graphiql in Chromium', () => {
  const running = useDemoInBrowser({ GRAPHQL_EXPLORER: 'graphiql' });

  it("should open the local GraphiQL at once, never asking Apollo's CDN, and run the dashboard", async () => {
    const { page, requests, errors } = await offlinePage(running.browser);
    await page.goto(running.demo.explorerUrl);
    await page.waitForSelector('#explorer[data-fallback-reason="chosen"]', { timeout: 10_000 });
    await page.waitForSelector('.graphiql-execute-button', { timeout: 20_000 });
    await page.waitForFunction(
      () => /query\s+Dashboard/.test(document.querySelector('.graphiql-query-editor')?.textContent?.replace(/\u00a0/g, ' ') ?? ''),
      null,
      {
        timeout: 10_000,
      },
    );
    await page.click('.graphiql-execute-button');
    await page.waitForFunction(() => document.querySelector('.result-window')?.textContent?.includes('"products"'), null, { timeout: 15_000 });
    const result = ((await page.textContent('.result-window')) ?? '').replace(/\u00a0/g, ' ');
    expect(result).toContain(demoUser.products[0].name);
    // Nothing at all left loopback: not even the one attempt at the CDN.
    expect(requests.filter((r) => !r.url.startsWith('http://127.0.0.1') && !r.url.startsWith('data:')).map((r) => r.url)).toEqual([]);
    expect(errors).toEqual([]);
  }, 60_000);
});
