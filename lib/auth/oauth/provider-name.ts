/** A provider's name as this deployment shows it, for the account page and the security notices. */
import "server-only";
import { env } from "../../env";
import { providersFor, type ProviderId } from "./configured";

export function providerName(provider: ProviderId): string {
  // A provider linked while it was configured, and since switched off, is still listed (and
  // removable) under its id: it is still a row that could sign in if switched back on.
  return providersFor(env).find((entry) => entry.id === provider)?.name ?? provider;
}
