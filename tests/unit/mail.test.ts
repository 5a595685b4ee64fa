/**
 * The mail layer's pure parts: TLS to every relay off loopback, the outbox never in a
 * deployment, escaped templates, and only the app's own links made clickable in the outbox.
 */
import { describe, expect, it } from "vitest";
import { parseEnv } from "@/lib/env";
import { linkPieces } from "@/lib/mail/outbox";
import { escapeHtml, html } from "@/lib/mail/render";
import type { Db } from "@/lib/db/client";
import { retryDelayMs, sendMail } from "@/lib/mail/send-mail";
import { noticeNewSignIn } from "@/lib/users/new-sign-in";
import { sendSecurityNotice } from "@/lib/users/security-notices";
import { renderMail } from "@/lib/mail/templates";
import { outboxAvailable, smtpOptions } from "@/lib/mail/transport";

const none = { SMTP_URL: undefined, SMTP_HOST: undefined, SMTP_PORT: undefined, SMTP_USER: undefined, SMTP_PASSWORD: undefined };

describe("the SMTP transport", () => {
  it("requires STARTTLS on a relay off loopback, and verifies its certificate", () => {
    const options = smtpOptions({ ...none, SMTP_URL: "smtp://user%40example.com:p%3Ass@smtp.example.com:587" });
    expect(options).toMatchObject({ host: "smtp.example.com", port: 587, secure: false, requireTLS: true, auth: { user: "user@example.com", pass: "p:ss" } });
    expect(options?.tls).toMatchObject({ rejectUnauthorized: true, minVersion: "TLSv1.2" });
  });

  it("uses implicit TLS for smtps:// and port 465", () => {
    expect(smtpOptions({ ...none, SMTP_URL: "smtps://smtp.example.com" })).toMatchObject({ port: 465, secure: true });
    expect(smtpOptions({ ...none, SMTP_HOST: "smtp.example.com", SMTP_PORT: 465 })).toMatchObject({ secure: true });
    expect(smtpOptions({ ...none, SMTP_HOST: "smtp.example.com" })).toMatchObject({ port: 587, secure: false, requireTLS: true });
  });

  it("lets only a loopback relay go without TLS", () => {
    expect(smtpOptions({ ...none, SMTP_URL: "smtp://127.0.0.1:2525" })).toMatchObject({ requireTLS: false });
    expect(smtpOptions({ ...none, SMTP_URL: "smtp://localhost:2525" })).toMatchObject({ requireTLS: false });
    expect(smtpOptions({ ...none, SMTP_URL: "smtp://10.0.0.5:25" })).toMatchObject({ requireTLS: true });
  });

  it("never lets a message read a file or fetch a URL", () => {
    expect(smtpOptions({ ...none, SMTP_URL: "smtp://127.0.0.1:2525" })).toMatchObject({ disableFileAccess: true, disableUrlAccess: true });
  });

  it("has no relay, and so the outbox, only when none is configured, and never in a deployment", () => {
    expect(smtpOptions(none)).toBeNull();
    expect(outboxAvailable({ ...none, deployed: false })).toBe(true);
    expect(outboxAvailable({ ...none, deployed: true })).toBe(false);
    expect(outboxAvailable({ ...none, deployed: false, SMTP_URL: "smtp://127.0.0.1:2525" })).toBe(false);
  });

  it("retries after 1, 2, 4, 8 and 16 minutes", () => {
    expect([1, 2, 3, 4, 5].map((attempts) => retryDelayMs(attempts) / 60_000)).toEqual([1, 2, 4, 8, 16]);
  });
});

describe("mail configuration", () => {
  const deployed = {
    NODE_ENV: "production",
    APP_URL: "https://app.example.com",
    DATABASE_URL: "postgres://u:p@db.example.com:5432/app?sslmode=require",
    TRUSTED_PROXY: "1",
    JWT_PRIVATE_KEY: "present",
    MFA_ENCRYPTION_KEY: "k".repeat(43),
    RATE_LIMIT_ALLOW_MEMORY_STORE: "single-instance",
  };
  const problems = (source: Record<string, string>) => {
    const result = parseEnv(source);
    return result.ok ? [] : result.problems;
  };

  it("refuses a deployment with no relay or no sender", () => {
    expect(problems(deployed)).toEqual([expect.stringContaining("SMTP_URL"), expect.stringContaining("MAIL_FROM")]);
    expect(problems({ ...deployed, SMTP_URL: "smtps://smtp.example.com", MAIL_FROM: "Palisade <no-reply@example.com>" })).toEqual([]);
    expect(problems({ ...deployed, SMTP_HOST: "smtp.example.com", MAIL_FROM: "no-reply@example.com" })).toEqual([]);
  });

  it("refuses a relay named two ways, half a login, or a URL that is not SMTP", () => {
    expect(problems({ SMTP_URL: "smtp://a.example.com", SMTP_HOST: "b.example.com" })).toEqual([expect.stringContaining("not both")]);
    expect(problems({ SMTP_HOST: "a.example.com", SMTP_USER: "u" })).toEqual([expect.stringContaining("SMTP_USER/SMTP_PASSWORD")]);
    expect(problems({ SMTP_PORT: "25" })).toEqual([expect.stringContaining("SMTP_HOST")]);
    expect(problems({ SMTP_URL: "https://smtp.example.com" })).toEqual([expect.stringContaining("smtp://")]);
  });

  it("needs nothing locally: mail goes to the development outbox", () => {
    expect(problems({})).toEqual([]);
  });
});

describe("templates", () => {
  it("escape what a user typed in the HTML part, and keep it as typed in the text part", () => {
    const name = `<script>alert("x")</script> & Co`;
    const mail = renderMail("password-changed", {
      name,
      when: new Date("2026-12-01T10:00:00Z"),
      otherSessionsEnded: 1,
      sessionsUrl: "https://app.example.com/sessions",
    });
    expect(mail.html).not.toContain("<script>");
    expect(mail.html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co");
    expect(mail.text).toContain(`Hello ${name},`);
    expect(mail.text).toContain("changed on 2026-12-01 10:00 UTC. 1 other device was signed out.");
  });

  it("every template escapes a typed name in its HTML part, and keeps it as typed in the text part", () => {
    const name = `<img src=x onerror=alert(1)>`;
    const when = new Date("2026-12-01T10:00:00Z");
    const rendered = [
      renderMail("password-changed", { name, when, otherSessionsEnded: 0, sessionsUrl: "https://app.example.com/sessions" }),
      renderMail("sign-in-method-changed", { name, when, method: "GitHub", change: "connected", accountUrl: "https://app.example.com/account" }),
      renderMail("session-ended-on-reuse", { name, when, sessionsUrl: "https://app.example.com/sessions" }),
      renderMail("new-sign-in", {
        name,
        when,
        method: "your password",
        device: "Firefox on Windows",
        ip: "203.0.113.9",
        newDevice: false,
        sessionsUrl: "https://app.example.com/sessions",
      }),
    ];
    for (const mail of rendered) {
      expect(mail.html).not.toContain("<img");
      expect(mail.html).toContain("&lt;img src=x onerror=alert(1)&gt;");
      expect(mail.text).toContain(`Hello ${name},`);
    }
    expect(rendered[1]!.subject).toBe("GitHub can now sign in to your Palisade account");
    expect(rendered[3]!.text).toContain("using Firefox on Windows, from the address 203.0.113.9.");
    expect(rendered[3]!.text).toContain("It is an address your account had not signed in from before.");
  });

  it("escape every interpolated value, and pass nested markup through once", () => {
    expect(escapeHtml(`'"<>&`)).toBe("&#39;&quot;&lt;&gt;&amp;");
    expect(html`<p>${html`<b>${"<i>"}</b>`}</p>`.trustedHtml).toBe("<p><b>&lt;i&gt;</b></p>");
  });
});

describe("the outbox's links", () => {
  it("makes only links to the app's own origin clickable", () => {
    const pieces = linkPieces("Reset: http://localhost:3000/reset?t=abc. Or https://evil.example/x", "http://localhost:3000");
    expect(pieces).toEqual([
      { kind: "text", text: "Reset: " },
      { kind: "link", href: "http://localhost:3000/reset?t=abc" },
      { kind: "text", text: ". Or https://evil.example/x" },
    ]);
  });
});

describe("a notice never fails the request that caused it", () => {
  // A database that is down by the time the notice is sent: the change itself has already committed.
  const down = new Proxy({}, { get: () => new Proxy({}, { get: () => () => Promise.reject(new Error("database down")) }) }) as Db;
  const context = { ip: null, userAgent: "test", requestId: "notice-test" };

  it("resolves, having logged, when the account lookup fails", async () => {
    await expect(sendSecurityNotice(down, "u1", { kind: "session-ended-on-reuse" }, context)).resolves.toBeUndefined();
  });

  it("resolves when the new-sign-in comparison fails", async () => {
    await expect(noticeNewSignIn(down, "u1", "your password", context)).resolves.toBeUndefined();
  });

  it("resolves, saying so, when the message cannot be recorded", async () => {
    await expect(
      sendMail(down, { to: "a@example.com", template: "session-ended-on-reuse", data: { name: "A", when: new Date(), sessionsUrl: "x" } }),
    ).resolves.toBe("not-recorded");
  });
});
