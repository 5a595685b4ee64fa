"use client";

import { useCallback, useEffect, useState } from "react";
import { isSilent } from "../forms/messages";

export type Remote<T> = { status: "loading"; previous: T | null } | { status: "ready"; data: T } | { status: "error"; error: unknown; previous: T | null };

type Settled<T> = { requestKey: string; lastGood: T | null } & ({ ok: true; data: T } | { ok: false; error: unknown });

/**
 * Load data for a component: loading, ready and error states, a `reload()`, and cancellation
 * when the key changes or the component unmounts (a slow old page never overwrites a newer one).
 * While a new key loads, the last good data stays available, so a list does not collapse and
 * jump. "Loading" is derived (the settled result is for another key), not set, so the effect
 * only ever writes state from the request's own callbacks.
 */
export function useRemote<T>(key: string, load: (signal: AbortSignal) => Promise<T>): { state: Remote<T>; reload: () => void } {
  const [generation, setGeneration] = useState(0);
  const requestKey = `${generation}:${key}`;
  const [settled, setSettled] = useState<Settled<T> | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    load(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setSettled({ requestKey, ok: true, data, lastGood: data });
      },
      (error: unknown) => {
        if (controller.signal.aborted || isSilent(error)) return;
        setSettled((current) => ({ requestKey, ok: false, error, lastGood: current?.lastGood ?? null }));
      },
    );
    return () => controller.abort();
    // `load` is a new function on every render; `requestKey` is what identifies the request.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [requestKey]);

  const reload = useCallback(() => setGeneration((value) => value + 1), []);

  let state: Remote<T>;
  if (settled === null || settled.requestKey !== requestKey) state = { status: "loading", previous: settled?.lastGood ?? null };
  else if (settled.ok) state = { status: "ready", data: settled.data };
  else state = { status: "error", error: settled.error, previous: settled.lastGood };
  return { state, reload };
}
