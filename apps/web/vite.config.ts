import { defineConfig } from 'vite';

/**
 * The build the gateway serves: hashed files under /assets (cached forever), one index.html (never
 * cached). Dashboards and the chart library are split into their own chunks so the first load carries
 * only the shell, sign-in and chat.
 */
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: true,
    modulePreload: { polyfill: false },
  },
  server: { port: 5173, strictPort: false },
});
