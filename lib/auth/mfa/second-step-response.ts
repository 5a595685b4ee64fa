/**
 * The answer to a right first factor for an account with a second factor: 202, the methods the
 * second step can use, and the pending sign-in's cookie; no token and no session cookie.
 */
import "server-only";
import { z } from "zod";
import type { Db } from "../../db/client";
import { json } from "../../http/handler";
import { secondFactorMethods } from "./second-factor";

/** The 202 body: the sign-in needs its second step, with one of these. */
export const SecondFactorNeededSchema = z.strictObject({
  secondFactor: z.strictObject({ methods: z.array(z.enum(["totp", "recovery-code", "passkey"])) }),
});

export const PENDING_SIGN_IN_SET = {
  "Set-Cookie": "`__Host-palisade-2fa`: the pending sign-in, for the second step only (HttpOnly, Secure, SameSite=Strict, 5 minutes).",
} as const;

export async function secondStepResponse(db: Db, userId: string, pendingCookie: string): Promise<Response> {
  const response = json({ secondFactor: { methods: await secondFactorMethods(db, userId) } }, { status: 202 });
  response.headers.append("set-cookie", pendingCookie);
  response.headers.set("cache-control", "no-store");
  return response;
}
