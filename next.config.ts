import type { NextConfig } from "next";
// Importing the environment module validates it: `next build` fails on a bad deployment config.
import "./lib/env";

const nextConfig: NextConfig = {
  // A separate build directory lets two production builds (say, two end-to-end runs) coexist.
  distDir: process.env.NEXT_DIST_DIR ?? ".next",
  // Advertising the framework helps only an attacker fingerprinting versions.
  poweredByHeader: false,
  reactStrictMode: true,
  // Loaded from node_modules at run time rather than bundled: WASM Postgres, native argon2 and
  // the pg driver do not survive bundling.
  serverExternalPackages: ["@electric-sql/pglite", "pglite-prisma-adapter", "pg", "@node-rs/argon2", "pino"],
};

export default nextConfig;
