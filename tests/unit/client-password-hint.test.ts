import { describe, expect, it } from "vitest";
import { passwordHint } from "@/lib/client/password-hint";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, PasswordSchema } from "@/lib/auth/password-policy";

describe("the password hint follows the real policy", () => {
  it("asks for the minimum length and counts down to it", () => {
    expect(passwordHint("").acceptable).toBe(false);
    expect(passwordHint("correct horse").message).toMatch(/^2 more characters/);
    expect(passwordHint("correct horse b").acceptable).toBe(true);
  });

  it("imposes no composition rules: lowercase words alone are fine", () => {
    const hint = passwordHint("purple otter carries lanterns");
    expect(hint.acceptable).toBe(true);
    expect(hint.level).toBe(3);
  });

  it("counts characters as the server does (code points, after NFC)", () => {
    const emoji = "🦦".repeat(PASSWORD_MIN_LENGTH - 1) + "é";
    expect(passwordHint(emoji).acceptable).toBe(PasswordSchema.safeParse(emoji).success);
    expect(passwordHint("🦦".repeat(PASSWORD_MIN_LENGTH - 1)).acceptable).toBe(false);
  });

  it("agrees with the shared schema at both limits", () => {
    for (const length of [PASSWORD_MIN_LENGTH - 1, PASSWORD_MIN_LENGTH, PASSWORD_MAX_LENGTH, PASSWORD_MAX_LENGTH + 1]) {
      const password = Array.from({ length }, (_, i) => "abcdefghij k"[i % 12]).join("");
      expect(passwordHint(password).acceptable, `length ${length}`).toBe(PasswordSchema.safeParse(password).success);
    }
  });

  it("warns about the user's own name or email, as the server will refuse them", () => {
    const hint = passwordHint("lovelace analytical engine", { email: "ada@example.com", name: "Lovelace" });
    expect(hint.acceptable).toBe(false);
    expect(hint.message).toMatch(/name|email/i);
  });
});
