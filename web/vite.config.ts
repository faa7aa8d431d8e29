// The dashboard's build: Preact + TypeScript, bundled by Vite into dist/web/ (static files that `spyglass serve`
// serves; nothing is fetched from a CDN at run time, so it works air-gapped).
import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [preact()],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 1000,
  },
  logLevel: 'warn',
});
