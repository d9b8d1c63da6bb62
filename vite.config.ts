import { defineConfig } from "vite";

export default defineConfig({
  // Relative base: dist/ works from any static file server and any sub-path.
  base: "./",
  worker: { format: "es" },
  build: { target: "es2022", chunkSizeWarningLimit: 1024 },
  server: { host: "127.0.0.1" },
  preview: { host: "127.0.0.1" },
});
