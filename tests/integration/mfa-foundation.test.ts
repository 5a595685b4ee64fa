/**
 * The second-factor data layer (lib/auth/mfa/) against its attacker, on PGlite and Postgres: a
 * TOTP code replayed in its window, two requests racing with one code, a recovery code spent
 * twice or by two racing requests, an old set of codes after regeneration, and one user's factor
 * used for another. No route is wired yet (docs/decisions/046-second-factors-foundation.md);
 * these call the functions the routes will call.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type * as RecoveryCodes from "@/lib/auth/mfa/recovery-codes";
import type * as TotpFactor from "@/lib/auth/mfa/totp-factor";
import { totpCode, totpStep } from "@/lib/auth/mfa/totp";
import type { Db } from "@/lib/db/client";
import { databaseKinds, provisionDatabase, useDatabase, type ProvisionedDatabase } from "../support/databases";

let counter = 0;
const uniqueEmail = (label: string) => `${label}-${++counter}-${Date.now().toString(36)}@example.com`;
const STEP_MS = 30_000;

describe.each(databaseKinds())("second-factor foundation on %s", (kind) => {
  let database: ProvisionedDatabase;
  let db: Db;
  let factors: typeof TotpFactor;
  let codes: typeof RecoveryCodes;
  /** The start of a time step, so every offset below lands where it says. */
  const T0 = new Date(Math.floor(Date.now() / STEP_MS) * STEP_MS + 5_000);
  const later = (steps: number, extraMs = 0) => new Date(T0.getTime() + steps * STEP_MS + extraMs);

  beforeAll(async () => {
    database = await provisionDatabase(kind);
    await useDatabase(database);
    vi.stubEnv("MFA_ENCRYPTION_KEY", randomBytes(32).toString("base64url"));
    const [client, totpFactor, recoveryCodes] = await Promise.all([
      import("@/lib/db/client"),
      import("@/lib/auth/mfa/totp-factor"),
      import("@/lib/auth/mfa/recovery-codes"),
    ]);
    db = await client.getDb();
    factors = totpFactor;
    codes = recoveryCodes;
  });

  afterAll(async () => {
    const { disconnectDb } = await import("@/lib/db/client");
    await disconnectDb();
    await database.drop();
    vi.unstubAllEnvs();
  });

  async function newUser(label = "mfa"): Promise<string> {
    const user = await db.user.create({ data: { email: uniqueEmail(label), name: "Second Factor" }, select: { id: true } });
    return user.id;
  }

  /** A user whose factor was confirmed at T0, with the secret their authenticator holds. */
  async function enrolledUser(label = "mfa"): Promise<{ userId: string; secret: Uint8Array }> {
    const userId = await newUser(label);
    const started = await factors.startTotpEnrolment(db, userId);
    if (!started.ok) throw new Error(`enrolment refused: ${started.reason}`);
    const confirmed = await factors.confirmTotpEnrolment(db, userId, totpCode(started.secret, totpStep(T0)), T0);
    expect(confirmed.ok).toBe(true);
    return { userId, secret: started.secret };
  }

  describe("TOTP", () => {
    it("stores the secret sealed, never in the clear, and hands out a key URI naming the account", async () => {
      const userId = await newUser("sealed");
      const started = await factors.startTotpEnrolment(db, userId);
      if (!started.ok) throw new Error(started.reason);
      const row = await db.totpFactor.findUniqueOrThrow({ where: { userId }, select: { encryptedSecret: true, confirmedAt: true } });
      expect(row.encryptedSecret).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
      expect(row.encryptedSecret).not.toContain(started.manualKey.replaceAll(" ", ""));
      expect(row.encryptedSecret).not.toContain(Buffer.from(started.secret).toString("base64url"));
      expect(row.confirmedAt).toBeNull();
      const user = await db.user.findUniqueOrThrow({ where: { id: userId }, select: { email: true } });
      expect(decodeURIComponent(new URL(started.keyUri).pathname)).toBe(`/Palisade:${user.email}`);
    });

    it("counts a pending factor as no second factor, and confirms it only with a valid code", async () => {
      const userId = await newUser("pending");
      const started = await factors.startTotpEnrolment(db, userId);
      if (!started.ok) throw new Error(started.reason);
      const code = totpCode(started.secret, totpStep(T0));
      expect(await factors.verifyTotpCode(db, userId, code, T0)).toEqual({ ok: false, reason: "no-factor" });
      expect(await factors.totpFactorState(db, userId)).toMatchObject({ state: "pending" });
      const wrong = code === "000000" ? "000001" : "000000";
      expect(await factors.confirmTotpEnrolment(db, userId, wrong, T0)).toEqual({ ok: false, reason: "invalid-code" });
      expect(await factors.confirmTotpEnrolment(db, userId, code, T0)).toEqual({ ok: true, confirmedAt: T0 });
      expect(await factors.totpFactorState(db, userId)).toEqual({ state: "confirmed", confirmedAt: T0 });
      // A confirmed factor is not replaced by starting again: it must be removed first.
      expect(await factors.startTotpEnrolment(db, userId)).toEqual({ ok: false, reason: "already-enrolled" });
    });

    it("refuses the code that confirmed the factor at sign-in: it has been seen already", async () => {
      const { userId, secret } = await enrolledUser("confirm-replay");
      expect(await factors.verifyTotpCode(db, userId, totpCode(secret, totpStep(T0)), later(0, 10_000))).toEqual({ ok: false, reason: "replayed" });
    });

    it("refuses a second enrolment's first secret: only the secret last shown can be confirmed", async () => {
      const userId = await newUser("re-enrol");
      const first = await factors.startTotpEnrolment(db, userId);
      const second = await factors.startTotpEnrolment(db, userId);
      if (!first.ok || !second.ok) throw new Error("enrolment refused");
      expect(await db.totpFactor.count({ where: { userId } })).toBe(1);
      expect(await factors.confirmTotpEnrolment(db, userId, totpCode(first.secret, totpStep(T0)), T0)).toEqual({ ok: false, reason: "invalid-code" });
      expect((await factors.confirmTotpEnrolment(db, userId, totpCode(second.secret, totpStep(T0)), T0)).ok).toBe(true);
    });

    it("refuses a replayed code within its window, and any code of the same or an earlier step", async () => {
      const { userId, secret } = await enrolledUser("replay");
      const now = later(3);
      const code = totpCode(secret, totpStep(now));
      expect(await factors.verifyTotpCode(db, userId, code, now)).toEqual({ ok: true, step: totpStep(now) });
      // The same code, still inside its window: once, immediately, and 40 seconds later.
      expect(await factors.verifyTotpCode(db, userId, code, now)).toEqual({ ok: false, reason: "replayed" });
      expect(await factors.verifyTotpCode(db, userId, code, later(3, 40_000))).toEqual({ ok: false, reason: "replayed" });
      // The previous step's code is still inside the window, but earlier than the one accepted.
      expect(await factors.verifyTotpCode(db, userId, totpCode(secret, totpStep(now) - 1), now)).toEqual({ ok: false, reason: "replayed" });
      // The next step's code is new, and passes once.
      const next = later(4);
      expect(await factors.verifyTotpCode(db, userId, totpCode(secret, totpStep(next)), next)).toEqual({ ok: true, step: totpStep(next) });
      const row = await db.totpFactor.findUniqueOrThrow({ where: { userId }, select: { lastUsedStep: true } });
      expect(row.lastUsedStep).toBe(totpStep(next));
    });

    it("lets exactly one of five concurrent verifications of one code pass", async () => {
      const { userId, secret } = await enrolledUser("race");
      const now = later(2);
      const code = totpCode(secret, totpStep(now));
      const results = await Promise.all(Array.from({ length: 5 }, () => factors.verifyTotpCode(db, userId, code, now)));
      expect(results.filter((result) => result.ok)).toHaveLength(1);
      expect(results.filter((result) => !result.ok)).toEqual(Array.from({ length: 4 }, () => ({ ok: false, reason: "replayed" })));
    });

    it("never verifies one user's factor for another", async () => {
      const alice = await enrolledUser("alice");
      const bob = await enrolledUser("bob");
      const carol = await newUser("carol");
      const now = later(2);
      const alicesCode = totpCode(alice.secret, totpStep(now));
      // Alice's current code, offered as Bob's (who has a factor) or Carol's (who has none).
      if (alicesCode !== totpCode(bob.secret, totpStep(now))) {
        expect(await factors.verifyTotpCode(db, bob.userId, alicesCode, now)).toEqual({ ok: false, reason: "invalid-code" });
      }
      expect(await factors.verifyTotpCode(db, carol, alicesCode, now)).toEqual({ ok: false, reason: "no-factor" });
      // Alice's sealed secret copied into Bob's row: it does not open there, whoever's code is offered.
      const alicesRow = await db.totpFactor.findUniqueOrThrow({ where: { userId: alice.userId }, select: { encryptedSecret: true } });
      await db.totpFactor.update({ where: { userId: bob.userId }, data: { encryptedSecret: alicesRow.encryptedSecret } });
      await expect(factors.verifyTotpCode(db, bob.userId, alicesCode, now)).rejects.toBeInstanceOf(factors.TotpSecretUnreadableError);
      await expect(factors.verifyTotpCode(db, bob.userId, totpCode(bob.secret, totpStep(now)), now)).rejects.toBeInstanceOf(factors.TotpSecretUnreadableError);
      // Nothing of that was spent for Alice: her code still passes, once, as hers.
      expect(await factors.verifyTotpCode(db, alice.userId, alicesCode, now)).toEqual({ ok: true, step: totpStep(now) });
    });

    it("removes the factor with the account's recovery codes, and an account's deletion removes both", async () => {
      const { userId, secret } = await enrolledUser("remove");
      expect(await codes.replaceRecoveryCodes(db, userId)).toHaveLength(codes.RECOVERY_CODE_COUNT);
      expect(await factors.removeTotpFactor(db, userId)).toEqual({ removed: true, recoveryCodesDeleted: codes.RECOVERY_CODE_COUNT });
      expect(await factors.verifyTotpCode(db, userId, totpCode(secret, totpStep(later(2))), later(2))).toEqual({ ok: false, reason: "no-factor" });
      expect(await factors.removeTotpFactor(db, userId)).toEqual({ removed: false, recoveryCodesDeleted: 0 });

      const other = await enrolledUser("cascade");
      await codes.replaceRecoveryCodes(db, other.userId);
      await db.user.delete({ where: { id: other.userId } });
      expect(await db.totpFactor.count({ where: { userId: other.userId } })).toBe(0);
      expect(await db.recoveryCode.count({ where: { userId: other.userId } })).toBe(0);
    });
  });

  describe("recovery codes", () => {
    it("stores ten hashes and no code, and spends a code however it is typed", async () => {
      const userId = await newUser("codes");
      const issued = (await codes.replaceRecoveryCodes(db, userId)) ?? [];
      expect(issued).toHaveLength(10);
      const rows = await db.recoveryCode.findMany({ where: { userId }, select: { codeHash: true, usedAt: true } });
      expect(rows).toHaveLength(10);
      for (const row of rows) {
        expect(row.codeHash).toMatch(/^[0-9a-f]{64}$/);
        expect(row.usedAt).toBeNull();
      }
      const stored = rows.map((row) => row.codeHash).join(" ");
      for (const code of issued) expect(stored).not.toContain(code.replaceAll("-", "").toLowerCase());
      const typed = ` ${(issued[0] as string).toLowerCase().replaceAll("-", " ")} `;
      expect(await codes.consumeRecoveryCode(db, userId, typed)).toEqual({ ok: true, remaining: 9 });
    });

    it("refuses a recovery code used twice", async () => {
      const userId = await newUser("twice");
      const [code] = (await codes.replaceRecoveryCodes(db, userId)) ?? [];
      expect(await codes.consumeRecoveryCode(db, userId, code as string)).toEqual({ ok: true, remaining: 9 });
      expect(await codes.consumeRecoveryCode(db, userId, code as string)).toEqual({ ok: false, reason: "invalid-code" });
      expect(await codes.remainingRecoveryCodes(db, userId)).toBe(9);
    });

    it("lets exactly one of five racing uses of one recovery code pass", async () => {
      const userId = await newUser("code-race");
      const [code] = (await codes.replaceRecoveryCodes(db, userId)) ?? [];
      const results = await Promise.all(Array.from({ length: 5 }, () => codes.consumeRecoveryCode(db, userId, code as string)));
      expect(results.filter((result) => result.ok)).toHaveLength(1);
      expect(results.filter((result) => !result.ok)).toHaveLength(4);
      expect(await codes.remainingRecoveryCodes(db, userId)).toBe(9);
    });

    it("kills every old code when the codes are regenerated, used or not", async () => {
      const userId = await newUser("regenerate");
      const old = (await codes.replaceRecoveryCodes(db, userId)) ?? [];
      await codes.consumeRecoveryCode(db, userId, old[0] as string);
      const fresh = (await codes.replaceRecoveryCodes(db, userId)) ?? [];
      for (const code of old) expect(await codes.consumeRecoveryCode(db, userId, code)).toEqual({ ok: false, reason: "invalid-code" });
      expect(await db.recoveryCode.count({ where: { userId } })).toBe(10);
      expect(await codes.consumeRecoveryCode(db, userId, fresh[0] as string)).toEqual({ ok: true, remaining: 9 });
    });

    it("leaves exactly one set when two regenerations race", async () => {
      const userId = await newUser("regenerate-race");
      const sets = await Promise.all([codes.replaceRecoveryCodes(db, userId), codes.replaceRecoveryCodes(db, userId)]);
      expect(await db.recoveryCode.count({ where: { userId } })).toBe(10);
      const working = await Promise.all(sets.map(async (set) => (await codes.consumeRecoveryCode(db, userId, (set ?? [])[0] as string)).ok));
      expect(working.filter(Boolean)).toHaveLength(1);
    });

    it("never spends one user's code for another, and the code still works for its owner", async () => {
      const alice = await newUser("alice-codes");
      const bob = await newUser("bob-codes");
      const [alicesCode] = (await codes.replaceRecoveryCodes(db, alice)) ?? [];
      await codes.replaceRecoveryCodes(db, bob);
      expect(await codes.consumeRecoveryCode(db, bob, alicesCode as string)).toEqual({ ok: false, reason: "invalid-code" });
      // Alice's stored hashes moved into Bob's rows still do not take her code as his.
      const ids = (await db.recoveryCode.findMany({ where: { userId: alice }, select: { id: true } })).map((row) => row.id);
      await db.recoveryCode.updateMany({ where: { id: { in: ids } }, data: { userId: bob } });
      expect(await codes.consumeRecoveryCode(db, bob, alicesCode as string)).toEqual({ ok: false, reason: "invalid-code" });
      await db.recoveryCode.updateMany({ where: { id: { in: ids } }, data: { userId: alice } });
      expect(await codes.consumeRecoveryCode(db, alice, alicesCode as string)).toEqual({ ok: true, remaining: 9 });
    });

    it("gives no codes to an account that no longer exists", async () => {
      expect(await codes.replaceRecoveryCodes(db, "no-such-user")).toBeNull();
    });
  });
});
