import { defineConfig, type Plugin } from 'vite';
import type { OutputBundle, OutputChunk } from 'rollup';

/**
 * The map (the default page) is a chunk of its own, imported by the entry once it runs;
 * this lists it, its static imports and the 1:50m coastline's chunk as `<link
 * rel="modulepreload">` in index.html, so the browser fetches and compiles them alongside
 * the entry rather than after it. (@polkadot/api's chunk is not listed: fetched then too,
 * it connected ~0.3 s sooner but the map's first frame came ~50 ms later; it is imported
 * once that frame is on screen.)
 */
function preloadMap(): Plugin {
  return {
    name: 'assay-preload-map',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        const bundle = ctx.bundle as OutputBundle | undefined;
        if (!bundle) return;
        const chunks = Object.values(bundle).filter((c): c is OutputChunk => c.type === 'chunk');
        const map = chunks.find((c) => c.moduleIds.some((id) => id.endsWith('/src/pages/map.ts')));
        if (!map) return;
        const entry = new Set(chunks.filter((c) => c.isEntry).map((c) => c.fileName));
        const files: string[] = [];
        const visit = (name: string) => {
          if (entry.has(name) || files.includes(name)) return;
          files.push(name);
          for (const i of (bundle[name] as OutputChunk).imports) visit(i);
        };
        visit(map.fileName);
        const coast = chunks.find((c) => c.moduleIds.some((id) => id.endsWith('/world-atlas/land-50m.json')));
        if (coast) visit(coast.fileName);
        return files.map((f) => ({ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: '', href: `./${f}` }, injectTo: 'head' as const }));
      },
    },
  };
}

// A static single-page app: `npm run build` writes dist/, which `vite preview` (or any
// static server) serves. Everything (the coastline, the h3 wasm-free JS) is bundled and
// the page uses the system's fonts; nothing is fetched at run time except the app's own
// files and the node's WebSocket.
export default defineConfig({
  base: './',
  plugins: [preloadMap()],
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 4000,
    sourcemap: false,
  },
  preview: { host: '127.0.0.1', port: 8080, strictPort: true },
});
