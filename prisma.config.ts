import path from "node:path";
import { defineConfig } from "prisma/config";

// The Prisma CLI otherwise reports usage to its vendor on every command; this project makes no
// outbound calls from install, build or test.
process.env.CHECKPOINT_DISABLE ??= "1";

export default defineConfig({
  // The TypeScript/WASM schema engine: no native engine binary is downloaded or needed.
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations") },
  async adapter() {
    const { embeddedMigrateAdapter } = await import("./prisma/embedded-migrate-adapter");
    return embeddedMigrateAdapter();
  },
});
