/**
 * An authenticator app for the end-to-end suite: it holds the TOTP secret read off the page (or
 * the API) and computes codes as a phone would (RFC 6238: HMAC-SHA-1, 6 digits, 30 s).
 *
 * The server accepts the current step and one either side, but only a step later than the last
 * one it accepted (lib/auth/mfa/totp-factor.ts: the replay rule). A test that needs several codes
 * in a row therefore starts one step back and moves forward a step per code: three codes are
 * available at once, without waiting for the clock, which a test must not do.
 */
import type { Page } from "@playwright/test";
import { decodeBase32IgnorePadding } from "@oslojs/encoding";
import { generateHOTP } from "@oslojs/otp";
import { PASSWORD } from "./accounts";

const PERIOD_MS = 30_000;
/** Too close to a step's end for the server to see the same step: a step further on is used. */
const MARGIN_MS = 3_000;

export class Authenticator {
  private readonly secret: Uint8Array;
  /** The last step a code was handed out for: each code is for a later one, as the server requires. */
  private lastStep = -1;

  constructor(manualKey: string) {
    this.secret = decodeBase32IgnorePadding(manualKey.replace(/\s+/g, "").toUpperCase());
  }

  private static now(): { step: number; left: number } {
    const now = Date.now();
    return { step: Math.floor(now / PERIOD_MS), left: PERIOD_MS - (now % PERIOD_MS) };
  }

  /**
   * A code the server accepts now and has not accepted before: for the earliest step that is
   * both inside its window (current ±1) and later than the last one used. Only when a code was
   * just used for the step after the current one, with the current step about to end, is there
   * none: then it waits those few seconds for the step to turn, never longer than MARGIN_MS.
   */
  async nextCode(): Promise<string> {
    let { step, left } = Authenticator.now();
    if (this.lastStep >= step + 1) {
      if (left > MARGIN_MS) throw new Error("no unused code inside the window: a test asked for more than three codes within a minute");
      await new Promise((resolve) => setTimeout(resolve, left + 100));
      ({ step, left } = Authenticator.now());
    }
    // The step before the current one drops out of the window when the step turns over.
    const earliest = left < MARGIN_MS ? step : step - 1;
    const chosen = Math.max(this.lastStep + 1, earliest);
    this.lastStep = chosen;
    return generateHOTP(this.secret, BigInt(chosen), 6);
  }

  /** Six digits that match no step in the window: a code the server must refuse. */
  wrongCode(): string {
    const { step } = Authenticator.now();
    const valid = new Set([-2, -1, 0, 1, 2].map((offset) => generateHOTP(this.secret, BigInt(step + offset), 6)));
    for (let candidate = 0; ; candidate += 111_111) {
      const code = String(candidate % 1_000_000).padStart(6, "0");
      if (!valid.has(code)) return code;
    }
  }
}

/** The setup key as the security page shows it, while an enrolment is under way. */
export async function readManualKey(page: Page): Promise<string> {
  const text = await page.getByTestId("totp-manual-key").textContent();
  if (text === null || text.trim() === "") throw new Error("no setup key on the page");
  return text.replace(/\s+/g, "");
}

export interface Enrolled {
  app: Authenticator;
  recoveryCodes: string[];
}

/**
 * Type the password again in this session (`POST /api/auth/step-up`), as the step-up dialog
 * would: adding a first second factor asks for it, a sign-in alone is not enough (ADR 047).
 */
export async function reprovePassword(page: Page, origin: string): Promise<void> {
  const response = await page.request.post("/api/auth/step-up", { data: { password: PASSWORD }, headers: { origin } });
  if (response.status() !== 200) throw new Error(`step-up: ${response.status()} ${await response.text()}`);
}

/**
 * Turn on TOTP for the account signed in within `page`'s context, through the API, as the
 * security page would: the password again, start, then confirm with the app's first code. API
 * calls made outside a page send the app's own Origin, so the CSRF check sees a same-origin request.
 */
export async function enrolThroughApi(page: Page, origin: string): Promise<Enrolled> {
  await reprovePassword(page, origin);
  const started = await page.request.post("/api/auth/mfa/totp", { headers: { origin } });
  if (started.status() !== 201) throw new Error(`start TOTP enrolment: ${started.status()} ${await started.text()}`);
  const app = new Authenticator(((await started.json()) as { manualKey: string }).manualKey);
  const confirmed = await page.request.post("/api/auth/mfa/totp/confirm", { data: { code: await app.nextCode() }, headers: { origin } });
  if (confirmed.status() !== 200) throw new Error(`confirm TOTP enrolment: ${confirmed.status()} ${await confirmed.text()}`);
  return { app, recoveryCodes: ((await confirmed.json()) as { recoveryCodes: string[] }).recoveryCodes };
}
