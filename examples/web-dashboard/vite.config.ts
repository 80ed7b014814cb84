import { resolve } from 'node:path';
import { defineConfig } from 'vite';

/** `npm run example:build` writes the page to examples/web-dashboard/dist (any static server can serve it). */
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  logLevel: 'warn',
  build: { outDir: resolve(import.meta.dirname, 'dist'), emptyOutDir: true },
});
