// Preloaded into a gateway by test/integration/runtime-modules.test.ts: on SIGUSR2 it writes one
// line to stderr, `LOADED-MODULES <json>`, naming the files the process has loaded and whether
// Node's bundled undici (fetch, WebSocket) is among its built-in modules.
import { registerHooks } from 'node:module';

const loaded = new Set();
registerHooks({
  load(url, context, next) {
    loaded.add(url);
    return next(url, context);
  },
});
process.on('SIGUSR2', () => {
  const report = { files: [...loaded], bundledUndici: process.moduleLoadList.some((name) => name.includes('deps/undici')) };
  process.stderr.write(`LOADED-MODULES ${JSON.stringify(report)}\n`);
});
