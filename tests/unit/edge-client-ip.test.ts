import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalIp, clientIp, expandIpv6, rateLimitKeyForIp, UNKNOWN_CLIENT_KEY, type TrustedProxy } from "@/lib/shared/client-ip";
import { edgeHarness } from "../support/edge-harness";

const headers = (values: Record<string, string>) => new Headers(values);

describe("client IP: which headers are trusted", () => {
  it("trusts no header at all with TRUSTED_PROXY=none (a client writes them all)", () => {
    const spoofed = headers({ "x-forwarded-for": "203.0.113.9", "x-real-ip": "203.0.113.9", "x-vercel-forwarded-for": "203.0.113.9" });
    expect(clientIp(spoofed, "none")).toBeNull();
  });

  it("reads x-real-ip on Vercel and ignores a client-written X-Forwarded-For", () => {
    expect(clientIp(headers({ "x-real-ip": "198.51.100.7", "x-forwarded-for": "203.0.113.9" }), "vercel")).toBe("198.51.100.7");
    expect(clientIp(headers({ "x-vercel-forwarded-for": "198.51.100.7" }), "vercel")).toBe("198.51.100.7");
    expect(clientIp(headers({ "x-forwarded-for": "203.0.113.9" }), "vercel")).toBeNull();
  });

  it("refuses an x-vercel-forwarded-for list, which Vercel never writes", () => {
    expect(clientIp(headers({ "x-vercel-forwarded-for": "203.0.113.9, 198.51.100.7" }), "vercel")).toBeNull();
  });

  it("walks X-Forwarded-For from the right by the hop count, ignoring client-written entries", () => {
    const chain = headers({ "x-forwarded-for": "203.0.113.9, 10.0.0.1, 198.51.100.7, 192.0.2.1" });
    expect(clientIp(chain, 1)).toBe("192.0.2.1");
    expect(clientIp(chain, 2)).toBe("198.51.100.7");
    expect(clientIp(chain, 4)).toBe("203.0.113.9");
  });

  it("gives no address when the chain is shorter than the trusted hops (the request bypassed a proxy)", () => {
    expect(clientIp(headers({ "x-forwarded-for": "198.51.100.7" }), 2)).toBeNull();
    expect(clientIp(headers({}), 1)).toBeNull();
  });

  it("strips ports that proxies append, and canonicalises IPv6", () => {
    expect(clientIp(headers({ "x-forwarded-for": "198.51.100.7:54321" }), 1)).toBe("198.51.100.7");
    expect(clientIp(headers({ "x-forwarded-for": "[2001:DB8:0:0:0:0:0:1]:443" }), 1)).toBe("2001:db8::1");
  });

  it.each([
    ["garbage", "not-an-ip"],
    ["an octet over 255", "256.1.1.1"],
    ["leading zeros (octal to some parsers)", "010.0.0.1"],
    ["an IPv6 zone ID", "fe80::1%eth0"],
    ["two :: runs", "2001::db8::1"],
    ["nine groups", "1:2:3:4:5:6:7:8:9"],
    ["an injected second value", "198.51.100.7 198.51.100.8"],
  ])("refuses %s rather than guessing", (_name, value) => {
    expect(clientIp(headers({ "x-forwarded-for": value }), 1)).toBeNull();
    expect(clientIp(headers({ "x-real-ip": value }), "vercel")).toBeNull();
  });
});

describe("client IP: rate-limit keys", () => {
  it("groups IPv6 addresses by /64, so rotating the interface ID buys nothing", () => {
    const hex = fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16));
    fc.assert(
      fc.property(
        fc.array(hex, { minLength: 4, maxLength: 4 }),
        fc.array(hex, { minLength: 4, maxLength: 4 }),
        fc.array(hex, { minLength: 4, maxLength: 4 }),
        (prefix, a, b) => {
          const first = canonicalIp([...prefix, ...a].join(":"));
          const second = canonicalIp([...prefix, ...b].join(":"));
          expect(rateLimitKeyForIp(first)).toBe(rateLimitKeyForIp(second));
        },
      ),
    );
  });

  it("gives different /64s different keys", () => {
    expect(rateLimitKeyForIp("2001:db8:0:1::1")).not.toBe(rateLimitKeyForIp("2001:db8:0:2::1"));
    expect(rateLimitKeyForIp("2001:db8:0:1::1")).toBe("ip6:2001:db8:0:1::/64");
  });

  it("keys an IPv4-mapped IPv6 address as the IPv4 address (one client, one bucket)", () => {
    expect(canonicalIp("::ffff:198.51.100.7")).toBe("198.51.100.7");
    expect(rateLimitKeyForIp(canonicalIp("::ffff:c633:6407"))).toBe("ip:198.51.100.7");
  });

  it("puts every unknown address in one shared bucket, never a fresh one", () => {
    expect(rateLimitKeyForIp(null)).toBe(UNKNOWN_CLIENT_KEY);
  });

  it("round-trips every IPv6 address through expansion and canonical text", () => {
    const group = fc.integer({ min: 0, max: 0xffff });
    fc.assert(
      fc.property(fc.array(group, { minLength: 8, maxLength: 8 }), (groups) => {
        const text = canonicalIp(groups.map((g) => g.toString(16)).join(":"));
        expect(text).not.toBeNull();
        const mapped = groups.slice(0, 6).join(",") === "0,0,0,0,0,65535";
        if (!mapped) expect(expandIpv6(text as string)).toEqual(groups);
      }),
    );
  });
});

describe("client IP: spoofing cannot buy a fresh rate-limit bucket", () => {
  const LIMIT = 10;
  const TRIES = 200;
  const spoofs = fc.sample(fc.oneof(fc.ipV4(), fc.ipV6()), { numRuns: TRIES, seed: 42 });

  // What reaches the app when an attacker at REAL sends spoofed headers through each setup.
  const REAL = "198.51.100.7";
  const setups: [string, TrustedProxy, (spoof: string) => Record<string, string>][] = [
    ["behind one proxy (TRUSTED_PROXY=1)", 1, (spoof) => ({ "x-forwarded-for": `${spoof}, ${REAL}`, "x-real-ip": spoof })],
    ["behind two proxies (TRUSTED_PROXY=2)", 2, (spoof) => ({ "x-forwarded-for": `${spoof}, ${spoof}, ${REAL}, 10.0.0.2`, "x-real-ip": spoof })],
    // Vercel overwrites x-real-ip and x-vercel-forwarded-for; whatever the client put in
    // X-Forwarded-For is not read.
    ["on Vercel", "vercel", (spoof) => ({ "x-real-ip": REAL, "x-vercel-forwarded-for": REAL, "x-forwarded-for": spoof })],
    ["with no proxy (TRUSTED_PROXY=none)", "none", (spoof) => ({ "x-forwarded-for": spoof, "x-real-ip": spoof, "x-vercel-forwarded-for": spoof })],
  ];

  it.each(setups)("0 bypasses in 200 spoofed requests %s", async (_name, trustedProxy, forge) => {
    const edge = edgeHarness({ env: { TRUSTED_PROXY: String(trustedProxy), RATE_LIMIT_GLOBAL_MAX: String(LIMIT) } });
    let allowed = 0;
    for (const spoof of spoofs) {
      const response = await edge.run("/", { headers: forge(spoof) });
      if (response.status !== 429) allowed++;
    }
    expect(allowed).toBe(LIMIT);
    expect(TRIES - allowed).toBe(TRIES - LIMIT);
  });

  it("0 bypasses in 200 requests rotating through one IPv6 /64", async () => {
    const edge = edgeHarness({ env: { TRUSTED_PROXY: "1", RATE_LIMIT_GLOBAL_MAX: String(LIMIT) } });
    const suffixes = fc.sample(fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 4, maxLength: 4 }), { numRuns: TRIES, seed: 7 });
    let allowed = 0;
    for (const suffix of suffixes) {
      const address = `2001:db8:1:2:${suffix.map((n) => n.toString(16)).join(":")}`;
      const response = await edge.run("/", { headers: { "x-forwarded-for": address } });
      if (response.status !== 429) allowed++;
    }
    expect(allowed).toBe(LIMIT);
  });
});
