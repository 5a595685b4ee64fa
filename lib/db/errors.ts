/**
 * Recognises "the database cannot be reached right now", as opposed to a bug or bad input, so
 * the API answers 503 with Retry-After instead of a 500 (or a request that hangs forever).
 */

// Prisma's connection codes, Node's socket errors, and Postgres' "shutting down / too many
// connections" SQLSTATEs.
const UNAVAILABLE_CODES = new Set([
  "P1001", // can't reach database server
  "P1002", // server reached but timed out
  "P1008", // operation timed out
  "P1017", // server closed the connection
  "P2024", // timed out fetching a connection from the pool
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
  "57P01", // admin_shutdown
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now
  "53300", // too_many_connections
]);

// Driver adapters report connection failures as a `kind` on the adapter error, which Prisma
// attaches as `meta.driverAdapterError` (P2010 for raw queries, other codes elsewhere).
const UNAVAILABLE_KINDS = new Set(["DatabaseNotReachable", "SocketTimeout", "TooManyConnections", "ConnectionClosed"]);

// The last one is Prisma's P2028 when an interactive transaction waits past `maxWait` for a
// pooled connection: the pool is exhausted, which is load, not a bug. (P2028 as a code also covers
// misuse such as a closed transaction, so only this message counts.)
const UNAVAILABLE_MESSAGES = [
  /timeout exceeded when trying to connect/i,
  /connection terminated/i,
  /database is not reachable/i,
  /unable to start a transaction in the given time/i,
];

/** Walks the error and its `cause` chain (bounded, in case of a cycle). */
export function isDatabaseUnavailable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current !== null && typeof current === "object"; depth++) {
    const candidate = current as {
      name?: unknown;
      code?: unknown;
      kind?: unknown;
      message?: unknown;
      cause?: unknown;
      errors?: unknown;
      meta?: { driverAdapterError?: unknown };
    };
    if (candidate.name === "PrismaClientInitializationError") return true;
    if (typeof candidate.kind === "string" && UNAVAILABLE_KINDS.has(candidate.kind)) return true;
    if (candidate.meta?.driverAdapterError !== undefined && isDatabaseUnavailable(candidate.meta.driverAdapterError)) return true;
    if (typeof candidate.code === "string" && UNAVAILABLE_CODES.has(candidate.code)) return true;
    if (typeof candidate.message === "string" && UNAVAILABLE_MESSAGES.some((re) => re.test(candidate.message as string))) return true;
    // Node reports a refused dual-stack connect as an AggregateError of per-address errors.
    if (Array.isArray(candidate.errors) && candidate.errors.some((inner) => isDatabaseUnavailable(inner))) return true;
    current = candidate.cause;
  }
  return false;
}

/**
 * A unique constraint refused the write. Prisma reports it as P2002; some driver adapters surface
 * the adapter error itself, with Postgres' SQLSTATE 23505 or the `UniqueConstraintViolation`
 * kind on its cause.
 */
export function isUniqueViolation(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current !== null && typeof current === "object"; depth++) {
    const candidate = current as { code?: unknown; kind?: unknown; cause?: unknown; meta?: { driverAdapterError?: unknown } };
    if (candidate.code === "P2002" || candidate.code === "23505" || candidate.kind === "UniqueConstraintViolation") return true;
    if (candidate.meta?.driverAdapterError !== undefined && isUniqueViolation(candidate.meta.driverAdapterError)) return true;
    current = candidate.cause;
  }
  return false;
}
