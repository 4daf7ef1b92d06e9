// Builds the browser app into web/dist, which the engine serves at `/` (same origin as /v1).
// `npm run dev` proxies /v1 to a running engine (TILLVAXT_API, default http://127.0.0.1:8080).
// `npm run preview` serves dist with the same Content-Security-Policy the engine sets, so that
// anything CSP would block shows up before it reaches the server.
import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

const api = process.env.TILLVAXT_API ?? 'http://127.0.0.1:8080';
const proxy = {
  '/v1': { target: api, changeOrigin: false, ws: false },
  '/healthz': { target: api },
};
const csp = "default-src 'self'";

export default defineConfig({
  plugins: [preact()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // No inline polyfill script: CSP default-src 'self' forbids inline scripts.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 900,
    rollupOptions: {
      output: {
        manualChunks: (id) => (id.includes('node_modules/echarts') || id.includes('node_modules/zrender') ? 'charts' : undefined),
      },
    },
  },
  server: { proxy },
  preview: { proxy, headers: { 'Content-Security-Policy': csp } },
});
