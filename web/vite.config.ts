/**
 * Builds the clinician web app into web/dist, which `heron serve` serves at `/`
 * (src/api/web/web-app.ts). Assets get content hashes, so the server can cache them for a year.
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    // The server's CSP forbids inline scripts and styles: nothing may be inlined as data: scripts.
    assetsInlineLimit: 0,
    sourcemap: true,
    target: 'es2022',
    reportCompressedSize: true,
    // Read by src/cli/web-build.ts to measure the first load (entry chunk and its static imports).
    manifest: true,
    // The shell's chunk (React, react-aria, the router) is ~640 kB before compression; the budget that
    // matters, < 300 KB compressed on first load, is measured and printed by src/cli/web-build.ts.
    chunkSizeWarningLimit: 800,
  },
});
