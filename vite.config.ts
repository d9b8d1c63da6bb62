import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";
import { contentSecurityPolicy, cspMetaPlugin } from "./src/node/page/content-security-policy.ts";
import { serviceWorkerPlugin } from "./src/node/page/service-worker-plugin.ts";

export default defineConfig({
  // Relative base: dist/ works from any static file server and any sub-path.
  base: "./",
  worker: { format: "es" },
  build: { target: "es2022", chunkSizeWarningLimit: 1024 },
  server: { host: "127.0.0.1" },
  // The preview server sends the policy as a header too, as README asks of a host: only the header binds the workers.
  preview: { host: "127.0.0.1", headers: { "Content-Security-Policy": contentSecurityPolicy() } },
  plugins: [cspMetaPlugin(), serviceWorkerPlugin(fileURLToPath(new URL("./src/browser/offline/service-worker.ts", import.meta.url)))],
});
