/**
 * Which identity providers this deployment offers, for the sign-in page's buttons.
 *
 * A provider is on only when all of its variables are set (lib/env.ts checks they come in
 * complete sets), so a button never appears for a provider that would fail at the first click.
 * The list holds ids and display names only: nothing secret, and nothing a page needs to
 * protect. It does not import next-auth, so a page can call it without loading the broker.
 */
import "server-only";
import { env, type Env } from "../../env";

export type ProviderId = "github" | "google" | "oidc";

export interface SignInProvider {
  /** The broker's provider id: `/api/auth/signin/<id>` starts its sign-in. */
  id: ProviderId;
  /** What the button says after "Continue with …". */
  name: string;
}

export const PROVIDER_IDS: readonly ProviderId[] = ["github", "google", "oidc"];

/** The display name of the generic OpenID Connect provider when AUTH_OIDC_NAME is not set. */
export const DEFAULT_OIDC_NAME = "OpenID Connect";

/** Pure, for tests: the providers a given configuration enables, in a fixed order. */
export function providersFor(
  config: Pick<Env, "AUTH_GITHUB_ID" | "AUTH_GOOGLE_ID" | "AUTH_OIDC_ISSUER" | "AUTH_OIDC_ID" | "AUTH_OIDC_NAME">,
): SignInProvider[] {
  const providers: SignInProvider[] = [];
  // lib/env.ts refuses an id without its secret (and an issuer without its id), so checking one
  // variable of each set is enough.
  if (config.AUTH_GITHUB_ID !== undefined) providers.push({ id: "github", name: "GitHub" });
  if (config.AUTH_GOOGLE_ID !== undefined) providers.push({ id: "google", name: "Google" });
  if (config.AUTH_OIDC_ISSUER !== undefined && config.AUTH_OIDC_ID !== undefined) {
    providers.push({ id: "oidc", name: config.AUTH_OIDC_NAME ?? DEFAULT_OIDC_NAME });
  }
  return providers;
}

/** The identity providers configured for this deployment; empty when there are none. */
export function configuredProviders(): readonly SignInProvider[] {
  return providersFor(env);
}

export function isConfiguredProvider(id: string | undefined): id is ProviderId {
  return id !== undefined && configuredProviders().some((provider) => provider.id === id);
}
