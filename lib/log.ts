/**
 * Structured JSON logs for the Node runtime. Every line of a request carries its request ID
 * (use `requestLogger`), and secret-bearing fields are redacted at the logger, so a careless
 * `log.info({ body })` cannot write a password or token to disk (OWASP ASVS 5.0 V16.2.5).
 */
import "server-only";
import pino, { type Logger } from "pino";
import { env } from "./env";

// pino's redaction paths: any of these keys, at the top level or one level down.
const SECRET_KEYS = [
  "password",
  "currentPassword",
  "newPassword",
  "passwordHash",
  "token",
  "accessToken",
  "refreshToken",
  "secret",
  "clientSecret",
  "authorization",
  "cookie",
  "set-cookie",
];

export const log: Logger = pino({
  level: env.LOG_LEVEL,
  base: undefined,
  timestamp: pino.stdTimeFunctions.isoTime,
  redact: {
    paths: [...SECRET_KEYS, ...SECRET_KEYS.map((key) => `*.${key}`), 'req.headers["x-api-key"]'],
    censor: "[redacted]",
  },
});

export function requestLogger(requestId: string): Logger {
  return log.child({ requestId });
}
