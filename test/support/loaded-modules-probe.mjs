// Preloaded into a gateway by test/integration/runtime-modules.test.ts: on SIGUSR2 it writes one
// line to stderr, `LOADED-MODULES <json>`, naming the files the process has loaded and whether
// Node's bundled undici (fetch, WebSocket) is among its built-in modules. It watches resolution
// only: on Node 22 a `load` hook routes require() of built-ins through the ES module facade,
// which reads `http.WebSocket` and so loads that very undici.
import { registerHooks } from 'node:module';

const loaded = new Set();
registerHooks({
  resolve(specifier, context, next) {
    const resolved = next(specifier, context);
    loaded.add(resolved.url);
    return resolved;
  },
});
process.on('SIGUSR2', () => {
  const report = { files: [...loaded], bundledUndici: process.moduleLoadList.some((name) => name.includes('deps/undici')) };
  process.stderr.write(`LOADED-MODULES ${JSON.stringify(report)}\n`);
});
