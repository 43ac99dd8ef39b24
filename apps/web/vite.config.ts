import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

// `npm run dev:web` proxies the API, agent and git routes to a control plane started separately
// (`npm start` listens on 7700 by default; FLOTILLA_URL points elsewhere).
const target = process.env.FLOTILLA_URL ?? 'http://127.0.0.1:7700';

export default defineConfig({
  plugins: [vue()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Element Plus and CodeMirror are large; each route and heavy part is its own chunk.
    chunkSizeWarningLimit: 600,
    reportCompressedSize: false,
  },
  server: {
    proxy: {
      '/api': { target, changeOrigin: false },
      '/healthz': target,
      '/readyz': target,
    },
  },
});
