/** What a page receives as `searchParams` (after awaiting it). */
export type SearchParams = Record<string, string | string[] | undefined>;

/**
 * One value of a query parameter. A repeated parameter (`?next=/a&next=//evil.com`) is
 * refused rather than resolved: which copy wins differs between layers, which is exactly the
 * confusion parameter pollution exploits.
 */
export function single(params: SearchParams, key: string): string | undefined {
  const value = params[key];
  return typeof value === "string" ? value : undefined;
}

/** A positive integer parameter (a page number), or the fallback. */
export function positiveInt(params: SearchParams, key: string, fallback: number, max = 1_000_000): number {
  const raw = single(params, key);
  if (raw === undefined || !/^\d{1,7}$/.test(raw)) return fallback;
  const value = Number(raw);
  return value >= 1 && value <= max ? value : fallback;
}

/** One of a fixed set of values, or the fallback. */
export function oneOf<T extends string>(params: SearchParams, key: string, allowed: readonly T[], fallback: T): T {
  const raw = single(params, key);
  return raw !== undefined && (allowed as readonly string[]).includes(raw) ? (raw as T) : fallback;
}
