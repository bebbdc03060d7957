import { defineConfig } from 'vite';

// A static single-page app: `npm run build` writes dist/, which `vite preview` (or any
// static server) serves. Everything (fonts, the coastline, the h3 wasm-free JS) is
// bundled; nothing is fetched at run time except the node's WebSocket.
export default defineConfig({
  base: './',
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 4000,
    sourcemap: false,
  },
  preview: { host: '127.0.0.1', port: 8080, strictPort: true },
});
