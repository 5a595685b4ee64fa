/**
 * The hand-off from next-auth to our session model: next-auth's options for one request, whose
 * callbacks check the destination and hand the verified identity to the linking rules
 * (./linking.ts). The broker (./broker.ts) builds one `Exchange` per request, runs next-auth with
 * these options, and reads the outcome back afterwards.
 *
 * Threat: a second session model. Left to its defaults, next-auth ends a sign-in with its own
 * 30-day session cookie, which would bypass revocation, reuse detection and "sign out everywhere".
 * Defence: the `signIn` callback always returns a URL, and next-auth treats a URL as "redirect and
 * stop", before it would encode a session (docs/decisions/032-no-next-auth-session.md). The
 * session that does get created is ours: the linking rules open a refresh family, and the broker
 * sets the same two cookies a password sign-in does.
 */
import "server-only";
import type { AuthOptions, CookiesOptions, LoggerInstance } from "next-auth";
import type { Logger } from "pino";
import { env } from "../../env";
import { recordAuditEvent, type AuditContext } from "../../audit";
import type { UserActor } from "../../authz/policy";
import { getDb } from "../../db/client";
import { log as baseLog } from "../../log";
import { OAUTH_COOKIES } from "../cookie-names";
import { DEFAULT_AFTER_SIGN_IN, redirectPolicy, safeRedirectUrl } from "../../shared/safe-redirect";
import { isConfiguredProvider } from "./configured";
import { fromConfiguredIssuer, identityFrom } from "./identity";
import { resolveProviderSignIn, type ProviderSignInOutcome } from "./linking";
import { brokerProviders } from "./providers";
import { brokerSecret } from "./secret";
import { ACCOUNT_PATH, oauthOutcomePath, SIGN_IN_PATH } from "./sign-in-page";

/** Where a sign-in may send the browser afterwards: APP_URL and CORS_ORIGINS (lib/shared/safe-redirect.ts). */
export const POLICY = redirectPolicy(env.APP_URL, env.CORS_ORIGINS);
/** Where it goes when no (safe) destination was asked for. */
export const DEFAULT_DESTINATION = `${env.APP_URL}${DEFAULT_AFTER_SIGN_IN}`;

/** The one-sign-in cookies live 10 minutes: long enough for a provider's consent screen. */
const FLOW_COOKIE_SECONDS = 600;

/**
 * next-auth's cookies, named explicitly so this file lists every one it may set. Secure always:
 * browsers treat http://localhost as secure, so local runs work as deployments do. The flow
 * cookies are `__Host-` (lib/auth/cookie-names.ts): no sibling host can plant a state, PKCE
 * verifier or nonce of its own choosing.
 */
const cookieOptions = (maxAge?: number) => ({ httpOnly: true, sameSite: "lax", path: "/", secure: true, ...(maxAge === undefined ? {} : { maxAge }) });
export const COOKIES: Partial<CookiesOptions> = {
  // Lax, because the provider's redirect back to the callback is a cross-site navigation.
  state: { name: OAUTH_COOKIES.state, options: cookieOptions(FLOW_COOKIE_SECONDS) },
  pkceCodeVerifier: { name: OAUTH_COOKIES.pkceCodeVerifier, options: cookieOptions(FLOW_COOKIE_SECONDS) },
  nonce: { name: OAUTH_COOKIES.nonce, options: cookieOptions(FLOW_COOKIE_SECONDS) },
  callbackUrl: { name: OAUTH_COOKIES.callbackUrl, options: cookieOptions(FLOW_COOKIE_SECONDS) },
  csrfToken: { name: OAUTH_COOKIES.csrfToken, options: cookieOptions() },
  // Never issued (./broker.ts drops it); named so a stray one is recognised and expired.
  sessionToken: { name: "__Secure-next-auth.session-token", options: cookieOptions() },
};
export const SESSION_COOKIE = /^(__Secure-)?next-auth\.session-token/;

/**
 * next-auth's log lines, without what they may carry (profiles, token responses): the code, the
 * provider and the error's name and first line. Process-wide, as next-auth's logger is global.
 */
function brokerLogger(log: Logger): LoggerInstance {
  const summary = (metadata: unknown) => {
    const source = metadata instanceof Error ? { error: metadata } : ((metadata ?? {}) as { error?: unknown; providerId?: unknown });
    const error = source.error instanceof Error ? source.error : metadata instanceof Error ? metadata : undefined;
    return {
      provider: typeof source.providerId === "string" ? source.providerId : undefined,
      error: error?.name,
      reason: error?.message.split("\n")[0]?.slice(0, 200),
    };
  };
  return {
    error: (code, metadata) => log.warn({ broker: code, ...summary(metadata) }, "identity broker error"),
    warn: (code) => log.warn({ broker: code }, "identity broker warning"),
    debug: () => undefined,
  };
}
const LOGGER = brokerLogger(baseLog);

/** What one callback request learns as next-auth runs; read after it returns. */
export interface Exchange {
  caller: UserActor | null;
  context: AuditContext;
  destination: string;
  outcome?: ProviderSignInOutcome;
  failure?: unknown;
}

export function absolute(path: string): string {
  return `${env.APP_URL}${path}`;
}

export function destinationAfter(exchange: Exchange): string {
  // Someone who was signed in was linking from their account page; everyone else was signing in.
  const page = exchange.caller === null ? SIGN_IN_PATH : ACCOUNT_PATH;
  if (exchange.outcome === undefined) return absolute(oauthOutcomePath("sign-in-failed", page));
  return exchange.outcome.kind === "refused" ? absolute(oauthOutcomePath(exchange.outcome.code, page)) : exchange.destination;
}

export function brokerOptions(exchange: Exchange): AuthOptions {
  return {
    providers: brokerProviders(),
    secret: brokerSecret(),
    useSecureCookies: true,
    cookies: COOKIES,
    // Never issued (see above); if it ever were, it would be short-lived.
    session: { strategy: "jwt", maxAge: 60 },
    pages: { signIn: SIGN_IN_PATH, error: SIGN_IN_PATH },
    logger: LOGGER,
    debug: false,
    callbacks: {
      // The only place a destination enters next-auth: from the sign-in form, then from its cookie.
      redirect: ({ url }) => {
        exchange.destination = safeRedirectUrl(url, POLICY) ?? DEFAULT_DESTINATION;
        return exchange.destination;
      },
      // The hand-off. Every protocol check has passed when next-auth calls this. Returning a URL
      // (never `true`) ends next-auth's part before it creates a session of its own.
      signIn: async ({ account, profile }) => {
        try {
          exchange.outcome = await handOff(exchange, account?.provider, profile);
        } catch (error) {
          exchange.failure = error;
        }
        return destinationAfter(exchange);
      },
    },
  };
}

async function handOff(exchange: Exchange, provider: string | undefined, profile: unknown): Promise<ProviderSignInOutcome> {
  const db = await getDb();
  if (!isConfiguredProvider(provider)) throw new Error("callback for a provider that is not configured");
  const identity = identityFrom(provider, profile, { oidcIssuer: env.AUTH_OIDC_ISSUER });
  if (identity === null) {
    const reason = provider === "oidc" && !fromConfiguredIssuer(profile, env.AUTH_OIDC_ISSUER) ? "issuer_mismatch" : "profile_unusable";
    await recordAuditEvent(db, exchange.context, { type: "oauth.sign_in_refused", details: { provider, reason } });
    return { kind: "refused", code: "sign-in-failed", pendingLink: null };
  }
  return resolveProviderSignIn(db, identity, exchange.caller, exchange.context);
}
