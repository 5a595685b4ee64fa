import { describe, expect, it } from "vitest";
import { accessCookie, clearedAuthCookies, readCookie, refreshCookie } from "@/lib/auth/cookies";

describe("auth cookie attributes (DESIGN.md §3)", () => {
  it("sets the access cookie with the __Host- prefix, HttpOnly, Secure, SameSite=Lax, Path=/ and Max-Age=900", () => {
    const cookie = accessCookie("token", 900);
    expect(cookie).toBe("__Host-palisade-at=token; Path=/; Max-Age=900; HttpOnly; Secure; SameSite=Lax");
    expect(cookie).not.toMatch(/Domain/i);
  });

  it("sets the refresh cookie with the __Secure- prefix, HttpOnly, Secure, SameSite=Strict, scoped to /api/auth", () => {
    const now = new Date("2026-01-01T00:00:00Z");
    const cookie = refreshCookie("id.secret", new Date(now.getTime() + 7 * 86_400_000), now);
    expect(cookie).toBe("__Secure-palisade-rt=id.secret; Path=/api/auth; Max-Age=604800; HttpOnly; Secure; SameSite=Strict");
    expect(cookie).not.toMatch(/Domain/i);
  });

  it("clears both cookies with the same name, path and attributes", () => {
    const [access, refresh] = clearedAuthCookies();
    expect(access).toMatch(/^__Host-palisade-at=; Path=\/; Max-Age=0; HttpOnly; Secure; SameSite=Lax$/);
    expect(refresh).toMatch(/^__Secure-palisade-rt=; Path=\/api\/auth; Max-Age=0; HttpOnly; Secure; SameSite=Strict$/);
  });

  it("reads a cookie by exact name, ignoring look-alike names", () => {
    const headers = new Headers({ cookie: "x__Host-palisade-at=evil; __Host-palisade-at=good; other=1" });
    expect(readCookie(headers, "__Host-palisade-at")).toBe("good");
    expect(readCookie(new Headers(), "__Host-palisade-at")).toBeUndefined();
  });
});
