/**
 * `POST /api/auth/step-up` as HTTP: the proof checked (./step-up.ts), then a new access token
 * that carries the session's new `auth_time` and `amr`. The refresh token is not rotated: the
 * session is the same one, now with a fresher proof.
 */
import "server-only";
import { z } from "zod";
import type { AuditContext } from "../audit";
import type { UserActor } from "../authz/policy";
import type { Db } from "../db/client";
import { AppError } from "../http/errors";
import { json } from "../http/handler";
import { sessionCookies } from "./issue";
import { stepUp, stepUpMethods, type StepUpProof } from "./step-up";

export const StepUpDoneSchema = z.strictObject({ authTime: z.iso.datetime(), amr: z.array(z.string()) });

export async function stepUpResponse(db: Db, caller: UserActor, proof: StepUpProof, context: AuditContext): Promise<Response> {
  if ((await stepUpMethods(db, caller.id)).length === 0) {
    // No password and no second factor (a provider-only account): only a new provider sign-in proves the person.
    throw new AppError("ERR_REAUTH_REQUIRED", { detail: "Sign in again to continue." });
  }
  const result = await stepUp(db, caller, proof, context);
  if (!result.ok) {
    const headers = Object.fromEntries(result.headers);
    if ("password" in proof) throw new AppError("ERR_INVALID_CREDENTIALS", { detail: "That password is not correct.", headers });
    throw new AppError("ERR_SECOND_FACTOR_INVALID", {
      detail: "passkey" in proof ? "That passkey could not be verified. Try again." : "That code is not correct.",
      headers,
    });
  }
  const response = json({ authTime: result.grant.authTime.toISOString(), amr: result.grant.amr });
  for (const cookie of await sessionCookies({ id: caller.id, role: caller.role }, result.grant, null)) response.headers.append("set-cookie", cookie);
  for (const [name, value] of result.headers) response.headers.set(name, value);
  response.headers.set("cache-control", "no-store");
  return response;
}
