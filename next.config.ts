import type { NextConfig } from "next";
// Importing the environment module validates it: `next build` fails on a bad deployment config.
import { env } from "./lib/env";
import { loadOrCreateDevSigningKey } from "./lib/auth/dev-keys";
import { assertSigningKeyUsable } from "./lib/auth/key-check";

if (env.JWT_PRIVATE_KEY === undefined) {
  // Local runs only (a deployment without a key was refused above): a generated key in .data/,
  // placed in this process's environment before any route or middleware module reads it.
  process.env.JWT_PRIVATE_KEY = loadOrCreateDevSigningKey(env.DATA_DIR);
} else {
  // Refuse to build or start with a key the token service would reject at the first request.
  assertSigningKeyUsable(env.JWT_PRIVATE_KEY);
}

const nextConfig: NextConfig = {
  // A separate build directory lets two production builds (say, two end-to-end runs) coexist.
  distDir: process.env.NEXT_DIST_DIR ?? ".next",
  // Advertising the framework helps only an attacker fingerprinting versions.
  poweredByHeader: false,
  reactStrictMode: true,
  // The app renders no next/image, so the image optimizer is switched off (its URL then answers
  // 404). Left on, /_next/image fetches and re-encodes images on request, outside the edge layer
  // (the middleware matcher skips /_next/image): work and outbound requests no route needs.
  images: { unoptimized: true },
  // Loaded from node_modules at run time rather than bundled: WASM Postgres, native argon2 and
  // the pg driver do not survive bundling.
  serverExternalPackages: ["@electric-sql/pglite", "pglite-prisma-adapter", "pg", "@node-rs/argon2", "pino"],
  // The common-password list is read from disk at run time; ship it with every API function.
  outputFileTracingIncludes: { "/api/**": ["./lib/auth/data/**"] },
  experimental: {
    // `forbidden()`: admin pages answer a non-admin with a real 403 from the server, not a hidden
    // link or a 200 page that says no (lib/auth/page-guards.ts, app/forbidden.tsx).
    authInterrupts: true,
  },
};

export default nextConfig;
