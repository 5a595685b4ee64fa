/**
 * What a browser context sends, as the edge layer sees it: each request the middleware runs for,
 * by kind (document, RSC navigation, RSC prefetch, API, other) and by the rate-limit tiers the
 * server says it counted (the tier names in each response's `RateLimit-Policy`), plus every 429.
 * Static files under `/_next/static` never reach the middleware (its matcher skips them) and are
 * tallied apart.
 */
import type { BrowserContext, Request, Response } from "@playwright/test";

export const REQUEST_KINDS = ["document", "rsc", "prefetch", "api", "other"] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];

export interface Tally {
  /** Requests the middleware ran for. */
  edge: number;
  /** Requests under /_next/static or /_next/image, which it does not. */
  staticFiles: number;
  byKind: Record<RequestKind, number>;
  /**
   * Requests the browser gave up on before an answer arrived (a prefetch or RSC fetch overtaken
   * by a navigation). The server still counted them, but no response says which tiers did.
   */
  abandoned: Record<RequestKind, number>;
  /** Requests each tier counted, by the server's own `RateLimit-Policy`. */
  byTier: Record<string, number>;
  /** Each tier, by kind of request. */
  byTierAndKind: Record<string, Record<RequestKind, number>>;
  /** Paths of the requests of kind "other" (neither a page, an RSC payload nor the API), with counts. */
  otherPaths: Record<string, number>;
  /** Every refused request: status, method, path and the body's `violated-policies`. */
  refused: { status: number; method: string; path: string; body: string }[];
}

function emptyKinds(): Record<RequestKind, number> {
  return Object.fromEntries(REQUEST_KINDS.map((kind) => [kind, 0])) as Record<RequestKind, number>;
}

/** How the edge tells one from another: the same headers Next.js's router sends. */
export function requestKind(path: string, resourceType: string, headers: Readonly<Record<string, string>>): RequestKind {
  if (path.toLowerCase().startsWith("/api/")) return "api";
  if (resourceType === "document") return "document";
  if (headers["next-router-prefetch"] !== undefined || headers["next-router-segment-prefetch"] !== undefined) return "prefetch";
  if (headers.rsc !== undefined) return "rsc";
  return "other";
}

/** Tier names in a `RateLimit-Policy` value: `"global";q=100;w=900, "user";q=30;w=60`. */
export function policyTiers(value: string | undefined): string[] {
  if (value === undefined) return [];
  return [...value.matchAll(/"([^"]+)"/g)].map((match) => match[1] as string);
}

export interface TallyRecorder {
  tally: Tally;
  /** Resolves once every request seen so far has been recorded. */
  settled(): Promise<void>;
}

export function tallyRequests(context: BrowserContext): TallyRecorder {
  const tally: Tally = { edge: 0, staticFiles: 0, byKind: emptyKinds(), abandoned: emptyKinds(), byTier: {}, byTierAndKind: {}, otherPaths: {}, refused: [] };
  const record = async (request: Request, response: Response | null) => {
    const url = new URL(request.url());
    if (url.pathname.startsWith("/_next/static/") || url.pathname.startsWith("/_next/image")) {
      tally.staticFiles += 1;
      return;
    }
    const kind = requestKind(url.pathname, request.resourceType(), await request.allHeaders());
    tally.edge += 1;
    tally.byKind[kind] += 1;
    if (kind === "other") tally.otherPaths[url.pathname] = (tally.otherPaths[url.pathname] ?? 0) + 1;
    if (response === null) {
      tally.abandoned[kind] += 1;
      return;
    }
    for (const tier of policyTiers(response.headers()["ratelimit-policy"])) {
      tally.byTier[tier] = (tally.byTier[tier] ?? 0) + 1;
      (tally.byTierAndKind[tier] ??= emptyKinds())[kind] += 1;
    }
    if (response.status() === 429 || response.status() === 503) {
      const body = await response.text().catch(() => "");
      tally.refused.push({ status: response.status(), method: request.method(), path: url.pathname, body });
    }
  };
  // Recorded once the response (or the failure) is known; pending work is awaited by settled().
  const pending = new Set<Promise<void>>();
  const track = (work: Promise<void>) => {
    pending.add(work);
    void work.finally(() => pending.delete(work));
  };
  context.on("requestfinished", (request) => track(request.response().then((response) => record(request, response))));
  context.on("requestfailed", (request) => track(record(request, null)));
  return { tally, settled: async () => void (await Promise.all(pending)) };
}
