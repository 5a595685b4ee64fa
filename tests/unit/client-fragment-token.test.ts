/**
 * A mailed link's token is read from the fragment only, and only in its exact shape, and leaves
 * the address bar as soon as it is read (lib/client/fragment-token.ts). A token that could come
 * from the query string would be one a server log, a proxy or a Referer had already seen.
 */
import { describe, expect, it } from "vitest";
import { createFragmentTokenStore, readFragmentToken, type LinkWindow } from "@/lib/client/fragment-token";

const TOKEN = "Xo3bY0ac5vJm1kQ2pRrT8wZ4nL6yF9hE0gD7sA1uCqB";
const OTHER = "Ab3bY0ac5vJm1kQ2pRrT8wZ4nL6yF9hE0gD7sA1u_-9";

/** A window whose address bar the test can read back, and whose `hashchange` it can fire. */
function fakeWindow(href: string) {
  const url = new URL(href, "https://palisade.test");
  const listeners = new Set<() => void>();
  const replaced: string[] = [];
  const win: LinkWindow = {
    location: {
      get hash() {
        return url.hash;
      },
      get pathname() {
        return url.pathname;
      },
      get search() {
        return url.search;
      },
    },
    history: {
      replaceState(_data, _unused, next) {
        replaced.push(next);
        const target = new URL(next, url);
        url.hash = target.hash;
        url.pathname = target.pathname;
        url.search = target.search;
      },
    },
    addEventListener: (_type, listener) => listeners.add(listener),
    removeEventListener: (_type, listener) => listeners.delete(listener),
  };
  return {
    win,
    replaced,
    address: () => `${url.pathname}${url.search}${url.hash}`,
    /** The person pastes another link into the same tab: only the fragment changes. */
    openFragment(hash: string) {
      url.hash = hash;
      for (const listener of [...listeners]) listener();
    },
    listenerCount: () => listeners.size,
  };
}

describe("reading a mailed link's token", () => {
  it("reads only a well-formed token from the fragment and never from the query", () => {
    expect(readFragmentToken(`#token=${TOKEN}`)).toBe(TOKEN);
    expect(readFragmentToken(`token=${TOKEN}`)).toBe(TOKEN);
    expect(readFragmentToken(`#utm=mail&token=${TOKEN}`)).toBe(TOKEN);

    for (const hash of [
      "",
      "#",
      "#token=",
      `#token=${TOKEN.slice(1)}`,
      `#token=${TOKEN}A`,
      `#token=${TOKEN.slice(1)}+`,
      `#token=${TOKEN.slice(1)}/`,
      `#token=${TOKEN.slice(1)}%00`,
      `#token=${TOKEN}&token=${OTHER}`,
      `#tok=${TOKEN}`,
      `#${TOKEN}`,
    ]) {
      expect(readFragmentToken(hash), hash).toBeNull();
    }

    const { win } = fakeWindow(`/reset-password?token=${TOKEN}`);
    const store = createFragmentTokenStore(win);
    store.subscribe(() => {});
    expect(store.getSnapshot()).toBeNull();
  });

  it("knows nothing until the page has hydrated, so the server and the browser render the same", () => {
    const { win, replaced } = fakeWindow(`/verify-email#token=${TOKEN}`);
    const store = createFragmentTokenStore(win);
    expect(store.getSnapshot()).toBeUndefined();
    expect(replaced).toEqual([]);
  });

  it("takes the fragment out of the address bar as soon as it is read, keeping the path and query", () => {
    const page = fakeWindow(`/email/confirm?lang=en#token=${TOKEN}`);
    const store = createFragmentTokenStore(page.win);
    let changes = 0;
    store.subscribe(() => (changes += 1));
    expect(store.getSnapshot()).toBe(TOKEN);
    expect(page.address()).toBe("/email/confirm?lang=en");
    expect(page.replaced).toEqual(["/email/confirm?lang=en"]);
    expect(changes).toBe(1);
  });

  it("clears a malformed fragment too, so nothing lingers", () => {
    const page = fakeWindow("/email/undo#token=not-a-token");
    const store = createFragmentTokenStore(page.win);
    store.subscribe(() => {});
    expect(store.getSnapshot()).toBeNull();
    expect(page.address()).toBe("/email/undo");
  });

  it("keeps the token when the page subscribes again after the fragment is gone (React's development double mount)", () => {
    const page = fakeWindow(`/reset-password#token=${TOKEN}`);
    const store = createFragmentTokenStore(page.win);
    const unsubscribe = store.subscribe(() => {});
    unsubscribe();
    expect(page.listenerCount()).toBe(0);
    store.subscribe(() => {});
    expect(store.getSnapshot()).toBe(TOKEN);
    expect(page.replaced).toHaveLength(1);
  });

  it("reads a second link opened in the same tab, and clears it too", () => {
    const page = fakeWindow(`/reset-password#token=${TOKEN}`);
    const store = createFragmentTokenStore(page.win);
    store.subscribe(() => {});
    page.openFragment(`#token=${OTHER}`);
    expect(store.getSnapshot()).toBe(OTHER);
    expect(page.address()).toBe("/reset-password");
  });
});
