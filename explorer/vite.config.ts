import { resolve } from 'node:path';
import { defineConfig } from 'vite';
import { precompress } from './precompress.js';

const outDir = resolve(import.meta.dirname, '../dist/explorer');

/**
 * `npm run build:explorer`: GraphiQL and its Monaco workers into dist/explorer, with content-hashed
 * names (the gateway serves them as immutable), a manifest the gateway reads to find the entry, and
 * each asset precompressed.
 */
export default defineConfig({
  root: import.meta.dirname,
  base: '/explorer/',
  logLevel: 'warn',
  publicDir: false,
  plugins: [precompress(outDir)],
  build: {
    outDir,
    emptyOutDir: true,
    manifest: true,
    // Monaco is large by nature; the gateway sends it compressed and cached for a year.
    chunkSizeWarningLimit: 6000,
    rollupOptions: {
      input: { explorer: resolve(import.meta.dirname, 'main.tsx') },
      onwarn(warning, warn) {
        // framer-motion marks its modules "use client" for React Server Components; a browser bundle has none.
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
  worker: { format: 'es' },
});
