/**
 * No user enumeration by timing: every failed login costs exactly one argon2 verification,
 * whether the account exists or not. Counting verifications proves it without a timed assertion.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import type * as PasswordHash from "@/lib/auth/password-hash";

const verifications: string[] = [];

vi.mock("@/lib/auth/password-hash", async (importOriginal) => {
  const real = await importOriginal<typeof PasswordHash>();
  return {
    ...real,
    verifyPassword: async (hash: string, password: string) => {
      verifications.push(hash);
      return real.verifyPassword(hash, password);
    },
  };
});

const { checkCredentials } = await import("@/lib/auth/password-attempt");
const { hashPassword } = await import("@/lib/auth/password-hash");

/** The credential lookup is one raw statement (ADR 048); a client it was not told about answers it through the ORM's raw call. */
function fakeDb(user: Record<string, unknown> | null) {
  return { $queryRawUnsafe: async () => (user === null ? [] : [user]), user: { update: async () => ({}) } } as never;
}

describe("login failures cost the same whether or not the account exists", () => {
  beforeEach(() => {
    verifications.length = 0;
  });

  it("runs one argon2id verification for an unknown email, against a dummy hash", async () => {
    const result = await checkCredentials(fakeDb(null), { email: "nobody@example.com", password: "whatever it is" });
    expect(result.ok).toBe(false);
    expect(verifications).toHaveLength(1);
    expect(verifications[0]).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it("runs one verification for a wrong password, an identity-provider-only account and a disabled account", async () => {
    const passwordHash = await hashPassword("the real password here");
    const base = { id: "u1", email: "a@example.com", name: "A", role: "USER", disabledAt: null };
    for (const user of [
      { ...base, passwordHash },
      { ...base, passwordHash: null },
      { ...base, passwordHash, disabledAt: new Date() },
    ]) {
      verifications.length = 0;
      const password = user.disabledAt === null && user.passwordHash !== null ? "a wrong password" : "the real password here";
      const result = await checkCredentials(fakeDb(user), { email: "a@example.com", password });
      expect(result.ok).toBe(false);
      expect(verifications).toHaveLength(1);
    }
  });
});
