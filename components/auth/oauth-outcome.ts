import { OAUTH_MESSAGES, type OAuthOutcomeCode } from "@/lib/auth/oauth/sign-in-page";
import type { FormMessage } from "../forms/form-status";

/** A refused provider sign-in's fixed message; a cancelled one is news, not an error. */
export function oauthOutcomeMessage(code: OAuthOutcomeCode): FormMessage {
  return { tone: code === "provider-denied" ? "info" : "error", title: OAUTH_MESSAGES[code] };
}
