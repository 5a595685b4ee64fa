/**
 * The single-use token of a mailed link (`/reset-password#token=…`, lib/users/email-tokens.ts),
 * read in the browser.
 *
 * Threat: the token is a bearer secret for one account. In the query string it would reach the
 * server's and every proxy's logs and the Referer of the page's own requests, and a mail scanner
 * that fetches the link to look at it would spend it. Defence: the link carries it in the
 * fragment, which a browser never sends; this module reads it from the fragment only (never from
 * the query), accepts only the exact shape a mailed token has, and takes it out of the address bar
 * at once, so it is not left in this tab's history, a bookmark or a screenshot. Nothing here sends
 * it: the page does that when the person presses its button (a POST), so opening the link costs
 * nothing. See the OWASP Forgot Password Cheat Sheet and docs/decisions/045-verified-addresses-and-recovery.md.
 */
import { EmailTokenSchema } from "../users/schemas";

/** A well-formed token, or null when the fragment had none (missing, repeated or malformed). */
export type FragmentToken = string | null;

/** The token in a fragment (`#token=…`): exactly one `token`, of the mailed shape, or null. */
export function readFragmentToken(hash: string): FragmentToken {
  const values = new URLSearchParams(hash.startsWith("#") ? hash.slice(1) : hash).getAll("token");
  // Two copies are refused rather than resolved, as with a repeated query parameter (search-params.ts).
  if (values.length !== 1) return null;
  const parsed = EmailTokenSchema.safeParse(values[0]);
  return parsed.success ? parsed.data : null;
}

/** The slice of `window` the store uses. */
export interface LinkWindow {
  location: { hash: string; pathname: string; search: string };
  history: { replaceState(data: unknown, unused: string, url: string): void };
  addEventListener(type: "hashchange", listener: () => void): void;
  removeEventListener(type: "hashchange", listener: () => void): void;
}

export interface FragmentTokenStore {
  /** Takes the token from the fragment (and clears the fragment) now and on every `hashchange`. */
  subscribe(onChange: () => void): () => void;
  /** `undefined` until the fragment has been read: the server render and hydration cannot know it. */
  getSnapshot(): FragmentToken | undefined;
}

/**
 * A `useSyncExternalStore` store over the fragment. Reading happens in `subscribe`, which React
 * calls after the page has hydrated, so the server's and the browser's first render agree and the
 * address bar is changed outside a render. The token is kept once the fragment is gone, because
 * React subscribes twice in development and a link's page may re-subscribe while it is open.
 */
export function createFragmentTokenStore(win: LinkWindow): FragmentTokenStore {
  let taken: { pathname: string; token: FragmentToken } | null = null;

  function take(): void {
    const { hash, pathname, search } = win.location;
    if (hash !== "") {
      taken = { pathname, token: readFragmentToken(hash) };
      // The path and query stay; only the fragment goes, whether or not it held a usable token.
      win.history.replaceState(null, "", `${pathname}${search}`);
    } else if (taken?.pathname !== pathname) {
      taken = { pathname, token: null };
    }
  }

  return {
    subscribe(onChange) {
      const listener = () => {
        take();
        onChange();
      };
      listener();
      // A second link pasted into the same tab changes only the fragment: no new page load.
      win.addEventListener("hashchange", listener);
      return () => win.removeEventListener("hashchange", listener);
    },
    getSnapshot: () => (taken !== null && taken.pathname === win.location.pathname ? taken.token : undefined),
  };
}
