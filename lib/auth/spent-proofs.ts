/**
 * One-time proofs, spent once (a pending provider link today; any later one-time token too).
 *
 * Threat: a proof carried by the browser (an encrypted cookie) is valid until it expires, however
 * often it is presented. A copy taken from a shared machine, or one replayed after it did its job,
 * would work again. Defence: spending a proof inserts its id; the primary key makes a second
 * insert fail, so of two requests racing with one copy exactly one wins, on PGlite and Postgres
 * alike. A row lives only until the proof would have expired anyway (npm run db:prune).
 */
import "server-only";
import type { Db } from "../db/client";
import type { Prisma } from "../db/generated/client";
import { isUniqueViolation } from "../db/errors";

export type ProofPurpose = "pending-link";

export interface Proof {
  id: string;
  purpose: ProofPurpose;
  expiresAt: Date;
}

/** True when this call spent the proof; false when it had been spent already. */
export async function spendProof(db: Db | Prisma.TransactionClient, proof: Proof): Promise<boolean> {
  try {
    await db.spentProof.create({ data: { id: `${proof.purpose}:${proof.id}`, purpose: proof.purpose, expiresAt: proof.expiresAt }, select: { id: true } });
    return true;
  } catch (error) {
    if (isUniqueViolation(error)) return false;
    throw error;
  }
}

export async function isSpent(db: Db, proof: Pick<Proof, "id" | "purpose">): Promise<boolean> {
  return (await db.spentProof.count({ where: { id: `${proof.purpose}:${proof.id}` } })) === 1;
}
