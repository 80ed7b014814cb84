// Preloaded into a gateway process by test/integration/tracing.test.ts: says once on stderr when
// anything first enters an AsyncLocalStorage (OpenTelemetry's context manager does, on `with`).
// On Node 20 and 22 that turns on a hook that every promise of the process pays for from then on.
import { AsyncLocalStorage } from 'node:async_hooks';

const run = AsyncLocalStorage.prototype.run;
let said = false;
AsyncLocalStorage.prototype.run = function probedRun(...args) {
  if (!said) {
    said = true;
    process.stderr.write('probe: AsyncLocalStorage entered\n');
  }
  return run.apply(this, args);
};
