/**
 * Structured logs for the edge layer: one JSON object per line, each with the request ID, in the
 * same shape as the Node logger (`lib/log.ts`: numeric pino levels, ISO `time`, `msg`), so one
 * log query finds a request's edge and handler lines together.
 *
 * The edge runtime cannot load pino, so this is a few lines over `console`. Callers pass only
 * identifiers and decisions (tier, reason, client address); a token, cookie, password or email
 * address never reaches a log line. Every string field goes through `JSON.stringify`, so a
 * request ID or path cannot forge a second line (OWASP ASVS 5.0 V16.4.1).
 */
import { env } from "../env";

export type EdgeLogLevel = "debug" | "info" | "warn" | "error";

// pino's numeric levels; `silent` is above every level, so nothing is written.
const LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity } as const;

function levelValue(name: string): number {
  return Object.hasOwn(LEVELS, name) ? LEVELS[name as keyof typeof LEVELS] : LEVELS.info;
}

export type LogFields = Record<string, string | number | boolean | null | undefined>;

/** Where a finished line goes; tests pass a collector instead of the console. */
export type LogSink = (level: EdgeLogLevel, line: string) => void;

export interface EdgeLogger {
  readonly requestId: string;
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

const consoleSink: LogSink = (level, line) => {
  // The edge runtime has no stdout stream of its own: `console` is the platform's log pipe
  // (Vercel and `next start` both collect it). This is the one module allowed to use it.
  /* eslint-disable no-console */
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
  /* eslint-enable no-console */
};

export interface EdgeLoggerOptions {
  /** Minimum level written, as in LOG_LEVEL. */
  level?: string;
  sink?: LogSink;
  now?: () => Date;
}

export function edgeLogger(requestId: string, options: EdgeLoggerOptions = {}): EdgeLogger {
  const threshold = levelValue(options.level ?? env.LOG_LEVEL);
  const sink = options.sink ?? consoleSink;
  const now = options.now ?? (() => new Date());

  const write = (level: EdgeLogLevel, msg: string, fields: LogFields = {}) => {
    const value = LEVELS[level];
    if (value < threshold) return;
    // Fixed keys last, so a caller's field can never overwrite the level, time or request ID.
    sink(level, JSON.stringify({ ...fields, level: value, time: now().toISOString(), requestId, layer: "edge", msg }));
  };

  return {
    requestId,
    debug: (msg, fields) => write("debug", msg, fields),
    info: (msg, fields) => write("info", msg, fields),
    warn: (msg, fields) => write("warn", msg, fields),
    error: (msg, fields) => write("error", msg, fields),
  };
}
