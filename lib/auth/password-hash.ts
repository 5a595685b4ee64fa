/**
 * Password hashing with argon2id at the OWASP Password Storage Cheat Sheet's first
 * configuration: m = 19456 KiB (19 MiB), t = 2, p = 1. About 11-20 ms a hash on one core here:
 * slow enough to make offline guessing expensive, fast enough for interactive logins.
 *
 * Hashes are PHC strings (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`) that carry their own
 * parameters, so raising them later only needs `needsRehash` at the next successful login.
 */
import "server-only";
import { hash, verify, type Options } from "@node-rs/argon2";

export const ARGON2_PARAMS = {
  // Algorithm.Argon2id; the enum is a `const enum`, which isolated modules cannot import.
  algorithm: 2,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const satisfies Options;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_PARAMS);
}

/** Constant-time comparison happens inside argon2's verify. A malformed hash verifies as false. */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** True when a stored hash was made with other parameters than today's. */
export function needsRehash(passwordHash: string): boolean {
  const { memoryCost, timeCost, parallelism } = ARGON2_PARAMS;
  return !passwordHash.startsWith(`$argon2id$v=19$m=${memoryCost},t=${timeCost},p=${parallelism}$`);
}
