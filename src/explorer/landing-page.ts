import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { ExplorerAssets } from './explorer-assets.js';

/** GRAPHQL_EXPLORER: `sandbox` tries Apollo's CDN first and falls back to GraphiQL; `graphiql` goes straight there. */
export type ExplorerChoice = 'sandbox' | 'graphiql';

export interface LandingPageOptions {
  explorer: ExplorerChoice;
  /** The built GraphiQL; undefined when `npm run build` did not build it. */
  assets: ExplorerAssets | undefined;
  /** Operation in the editor on first open. */
  document?: string;
  /** Request headers pre-filled (the demo's bearer token). */
  headers?: Record<string, string>;
  /** The Apollo Server version, which the Sandbox asks for (`runtime`). */
  apolloServerVersion: string;
  /** How long the Sandbox's script may take before the local explorer takes over. */
  fallbackAfterMs?: number;
}

/** Where Apollo Server's own landing page loads the embeddable Sandbox from. */
export const SANDBOX_SCRIPT_ORIGIN = 'https://embeddable-sandbox.cdn.apollographql.com';

/**
 * The page a browser gets at /graphql: the Apollo Sandbox, configured as Apollo's own landing page
 * configures it, when its script arrives from Apollo's CDN; otherwise (offline, a proxy that blocks
 * it, a script that hangs past `fallbackAfterMs`) the gateway's own GraphiQL, with the same endpoint,
 * document and headers, served from this process.
 */
export function explorerLandingPage<T extends BaseContext>(options: LandingPageOptions): ApolloServerPlugin<T> {
  const html = landingPageHtml(options);
  return {
    async serverWillStart() {
      return {
        async renderLandingPage() {
          return { html };
        },
      };
    },
  };
}

export function landingPageHtml(options: LandingPageOptions): string {
  const config = {
    explorer: options.explorer,
    target: 'explorer',
    document: options.document ?? '',
    headers: options.headers ?? {},
    fallbackAfterMs: options.fallbackAfterMs ?? 4000,
    sandboxScript: `${SANDBOX_SCRIPT_ORIGIN}/_latest/embeddable-sandbox.umd.production.min.js?runtime=${encodeURIComponent(options.apolloServerVersion)}`,
    runtime: options.apolloServerVersion,
    local: options.assets ? { script: options.assets.script, styles: options.assets.styles } : null,
  };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>flecs-graph explorer</title>
<link rel="icon" href="data:,">
<style>
  html, body { height: 100%; margin: 0; font-family: system-ui, sans-serif; }
  #explorer { height: 100vh; }
  #explorer iframe { width: 100%; height: 100%; border: none; background: white; }
  #explorer .note { padding: 2rem; max-width: 40rem; }
</style>
</head>
<body>
<div id="explorer"><p class="note">Loading the explorer…</p></div>
<script type="application/json" id="explorer-config">${jsonForScript(config)}</script>
<script>${LOADER}</script>
</body>
</html>
`;
}

/** JSON inside <script>: nothing in it may close the element or open a comment. */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * Runs in the browser. Chooses the explorer and records the choice on #explorer
 * (data-explorer, data-fallback-reason) so that people and tests can see which one they got.
 */
const LOADER = `
(function () {
  var config = JSON.parse(document.getElementById('explorer-config').textContent);
  var root = document.getElementById(config.target);
  var endpoint = location.href.split(/[?#]/)[0];
  var settled = false;
  function local(reason) {
    if (settled) return;
    settled = true;
    root.setAttribute('data-fallback-reason', reason);
    if (!config.local) {
      root.innerHTML = '<p class="note">The Apollo Sandbox could not be loaded (' + reason + '), and the local explorer was not built: run <code>npm run build</code>, or send queries with curl (see docs/http.md).</p>';
      return;
    }
    root.innerHTML = '';
    config.local.styles.forEach(function (href) {
      var link = document.createElement('link');
      link.rel = 'stylesheet';
      link.href = href;
      document.head.appendChild(link);
    });
    var script = document.createElement('script');
    script.type = 'module';
    script.src = config.local.script;
    document.head.appendChild(script);
  }
  function sandbox() {
    var timer = setTimeout(function () { local('timeout'); }, config.fallbackAfterMs);
    var script = document.createElement('script');
    script.src = config.sandboxScript;
    script.async = true;
    script.onerror = function () { clearTimeout(timer); local('unreachable'); };
    script.onload = function () {
      clearTimeout(timer);
      if (settled) return;
      if (typeof window.EmbeddedSandbox !== 'function') return local('unusable');
      settled = true;
      root.innerHTML = '';
      root.setAttribute('data-explorer', 'sandbox');
      new window.EmbeddedSandbox({
        target: '#' + config.target,
        initialEndpoint: endpoint,
        initialState: { document: config.document, headers: config.headers, includeCookies: false },
        hideCookieToggle: false,
        endpointIsEditable: false,
        runtime: config.runtime,
        runTelemetry: true,
        allowDynamicStyles: false
      });
    };
    document.head.appendChild(script);
  }
  if (config.explorer === 'graphiql') local('chosen'); else sandbox();
})();
`;
