/**
 * The client's IP address, for rate limits and the session list.
 *
 * Threat: every per-IP limit is only as strong as the address it is keyed on. `X-Forwarded-For`,
 * `X-Real-IP` and friends are ordinary request headers: any client can send
 * `X-Forwarded-For: 1.2.3.4` and, if the app believes the leftmost entry, get a fresh rate-limit
 * bucket on every request (the most common per-IP limit bypass in the wild). A proxy *appends*
 * the address it saw to `X-Forwarded-For`, so only entries added by proxies we run are facts;
 * everything to their left was written by the client.
 *
 * Defence: one function, configured by `TRUSTED_PROXY` (lib/env.ts), that reads only what a
 * trusted hop wrote:
 * - `vercel`: Vercel's edge overwrites `x-real-ip` and `x-vercel-forwarded-for` on every request,
 *   so their value is Vercel's observation, never the client's.
 * - a hop count N: N proxies we control each appended one entry, so the client's address is the
 *   Nth entry from the right. Anything further left is ignored, and a list shorter than N (the
 *   request did not come through our proxies) yields no address.
 * - `none`: no proxy in front, so every such header is client-written and nothing is trusted. The
 *   edge runtime is not given the socket address, so the address is unknown; see
 *   `rateLimitKeyForIp` for what that means for limits.
 * A malformed entry yields no address rather than a guess. IPv6 clients get a /64 each from
 * their provider, so rate limits group IPv6 addresses by /64: rotating the low 64 bits buys an
 * attacker nothing. See docs/edge.md ("Client IP") and OWASP's "X-Forwarded-For" guidance.
 *
 * Web APIs only: route handlers call `clientIp(request.headers)` too.
 */
import { env } from "../env";

export type TrustedProxy = "vercel" | "none" | number;

/**
 * The client's address as a canonical string (dotted IPv4, or RFC 5952 IPv6), or null when the
 * configuration gives no trustworthy source for it.
 */
export function clientIp(headers: Headers, trustedProxy: TrustedProxy = env.TRUSTED_PROXY): string | null {
  if (trustedProxy === "none") return null;
  if (trustedProxy === "vercel") {
    const realIp = headers.get("x-real-ip");
    if (realIp !== null) return canonicalIp(realIp.trim());
    // Vercel writes a single address here; a list means something else wrote it.
    const forwarded = headers.get("x-vercel-forwarded-for");
    return forwarded === null || forwarded.includes(",") ? null : canonicalIp(forwarded.trim());
  }
  const header = headers.get("x-forwarded-for");
  if (header === null) return null;
  const entries = header.split(",").map((entry) => entry.trim());
  // The entry our outermost trusted proxy appended: N from the right.
  const entry = entries[entries.length - trustedProxy];
  return entry === undefined ? null : canonicalIp(stripPort(entry));
}

/** Shared by every request whose address is unknown (TRUSTED_PROXY=none, or a bad header). */
export const UNKNOWN_CLIENT_KEY = "ip:unknown";

/**
 * The rate-limit key for an address: the IPv4 address itself, or the /64 an IPv6 address lives
 * in. An unknown address gets one shared key: failing toward a *shared* bucket means a bad or
 * missing header can never earn a fresh one (the alternative, skipping the limit, would make a
 * misconfigured deployment silently unlimited).
 */
export function rateLimitKeyForIp(ip: string | null): string {
  if (ip === null) return UNKNOWN_CLIENT_KEY;
  if (!ip.includes(":")) return `ip:${ip}`;
  const groups = expandIpv6(ip);
  if (groups === null) return UNKNOWN_CLIENT_KEY;
  return `ip6:${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(":")}::/64`;
}

/** `1.2.3.4:5678` and `[2001:db8::1]:443` → the address alone (some proxies append ports). */
function stripPort(entry: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(entry);
  if (bracketed !== null) return bracketed[1] as string;
  const ipv4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(entry);
  return ipv4WithPort === null ? entry : (ipv4WithPort[1] as string);
}

/** Canonical text for an IPv4 or IPv6 address, or null if `value` is not one. */
export function canonicalIp(value: string): string | null {
  if (isIpv4(value)) return value;
  const groups = expandIpv6(value);
  if (groups === null) return null;
  // An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is an IPv4 client behind a dual-stack socket:
  // key it as IPv4, or one client would have two buckets.
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) {
    const high = groups[6] as number;
    const low = groups[7] as number;
    return [high >> 8, high & 0xff, low >> 8, low & 0xff].join(".");
  }
  return compressIpv6(groups);
}

// Dotted decimal only, without leading zeros: `010.0.0.1` is octal to some parsers and decimal
// to others, and two layers reading one string differently is how filters get bypassed.
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function isIpv4(value: string): boolean {
  return IPV4.test(value);
}

/** The eight 16-bit groups of an IPv6 address, or null. Zone IDs (`%eth0`) are refused. */
export function expandIpv6(value: string): number[] | null {
  if (value.length > 45 || !/^[0-9A-Fa-f:.]+$/.test(value)) return null;
  const halves = value.split("::");
  if (halves.length > 2) return null;
  const parse = (part: string): number[] | null => {
    if (part === "") return [];
    const groups: number[] = [];
    const pieces = part.split(":");
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i] as string;
      if (i === pieces.length - 1 && piece.includes(".")) {
        // A trailing embedded IPv4 address fills the last two groups.
        if (!isIpv4(piece)) return null;
        const [a, b, c, d] = piece.split(".").map(Number) as [number, number, number, number];
        groups.push((a << 8) | b, (c << 8) | d);
      } else {
        if (!/^[0-9A-Fa-f]{1,4}$/.test(piece)) return null;
        groups.push(parseInt(piece, 16));
      }
    }
    return groups;
  };
  const head = parse(halves[0] as string);
  const tail = halves.length === 2 ? parse(halves[1] as string) : [];
  if (head === null || tail === null) return null;
  if (halves.length === 1) return head.length === 8 ? head : null;
  const missing = 8 - head.length - tail.length;
  // `::` stands for at least one zero group.
  if (missing < 1) return null;
  return [...head, ...new Array<number>(missing).fill(0), ...tail];
}

/** RFC 5952 text: lowercase, no leading zeros, the longest run (≥ 2) of zero groups as `::`. */
function compressIpv6(groups: number[]): string {
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestLength < 2) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}
