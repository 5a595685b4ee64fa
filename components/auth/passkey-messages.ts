import { ceremonyFailure } from "@/lib/client/passkeys";
import type { FormMessage } from "../forms/form-status";

/**
 * What a page says when the browser's passkey ceremony ended without a credential, or null when
 * the error was not the browser's (an API answer is the caller's to word).
 */
export function passkeyCeremonyMessage(error: unknown, action: "create" | "use"): FormMessage | null {
  const failure = ceremonyFailure(error);
  if (failure === null) return null;
  const subject = action === "create" ? "The passkey was not created." : "The passkey was not used.";
  switch (failure) {
    case "cancelled":
      // Said calmly, and politely announced: closing the prompt is a choice, and nothing changed.
      return { tone: "info", title: subject, detail: "The request was cancelled or timed out. You can try again when you are ready." };
    case "already-registered":
      return { tone: "info", title: subject, detail: "This device or security key already holds a passkey for your account." };
    case "unsupported":
      return {
        tone: "error",
        title: subject,
        detail:
          action === "create"
            ? "This browser or device cannot make a passkey that checks it is you. Try another device."
            : "This browser or device cannot use passkeys. Try another device.",
      };
    case "failed":
      return { tone: "error", title: subject, detail: "Your browser could not finish it. Try again, or try another device." };
  }
}
