"use client";

import { useSyncExternalStore } from "react";
import { createFragmentTokenStore, type FragmentToken, type FragmentTokenStore } from "@/lib/client/fragment-token";

let store: FragmentTokenStore | null = null;

// Built on first use: the module is also loaded for the server render, where there is no window.
function browserStore(): FragmentTokenStore {
  store ??= createFragmentTokenStore(window);
  return store;
}

// Module-level, so React sees the same functions on every render and subscribes once.
const subscribe = (onChange: () => void) => browserStore().subscribe(onChange);
const getSnapshot = () => browserStore().getSnapshot();
const getServerSnapshot = () => undefined;

/**
 * The mailed link's token from this page's fragment (lib/client/fragment-token.ts): `undefined`
 * while the page hydrates, then the token, or null when the link has none.
 */
export function useFragmentToken(): FragmentToken | undefined {
  return useSyncExternalStore(subscribe, getSnapshot, getServerSnapshot);
}
