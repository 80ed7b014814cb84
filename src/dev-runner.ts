import { spawn, type ChildProcess } from 'node:child_process';
import { watch } from 'node:fs';

/**
 * `npm run dev`: the gateway from its TypeScript sources, restarted on every change under src/.
 * Node's own --watch (and --watch-path) stop noticing a file once an editor has saved it by
 * writing a new file and renaming it over the old one (vim, sed -i, JetBrains "safe write";
 * nodejs/node#54774); a recursive watch of the folder sees every save.
 */
const LOADER = ['--import', '@swc-node/register/esm-register'];
let child: ChildProcess | undefined;
let restartTimer: NodeJS.Timeout | undefined;
let stopping = false;

function start(): void {
  // A restart that was under way when the runner was told to stop must not leave a gateway behind.
  if (stopping) return;
  child = spawn(process.execPath, [...LOADER, 'src/index.ts'], {
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: process.env.NODE_ENV ?? 'development' },
  });
  child.once('exit', (code, signal) => {
    if (!stopping && restartTimer === undefined)
      process.stderr.write(`flecs-graph dev: the gateway exited (${signal ?? code}); waiting for a change under src/\n`);
  });
}

function stopChild(): Promise<void> {
  const running = child;
  if (!running || running.exitCode !== null || running.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    running.once('exit', () => resolve());
    running.kill('SIGTERM');
  });
}

watch('src', { recursive: true }, (_event, file) => {
  if (file === null || !/\.(ts|json)$/.test(String(file))) return;
  clearTimeout(restartTimer);
  // Editors write a burst of events per save: restart once, after the burst.
  restartTimer = setTimeout(() => {
    process.stderr.write(`flecs-graph dev: ${String(file)} changed, restarting\n`);
    void stopChild().then(() => {
      restartTimer = undefined;
      start();
    });
  }, 150);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    stopping = true;
    clearTimeout(restartTimer);
    void stopChild().then(() => process.exit(0));
  });
}
start();
