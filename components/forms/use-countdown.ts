"use client";

import { useCallback, useSyncExternalStore } from "react";

/**
 * Seconds left until `deadline` (a Date.now() timestamp): 0 when it has passed or is null. The
 * clock is treated as an external store that ticks twice a second; the value is computed from
 * the clock each time rather than decremented, so a throttled background tab still shows the
 * right time when it comes back.
 */
export function useCountdown(deadline: number | null): number {
  const subscribe = useCallback(
    (onTick: () => void) => {
      if (deadline === null) return () => {};
      const timer = window.setInterval(onTick, 500);
      return () => window.clearInterval(timer);
    },
    [deadline],
  );
  return useSyncExternalStore(
    subscribe,
    () => (deadline === null ? 0 : Math.max(0, Math.ceil((deadline - Date.now()) / 1000))),
    () => 0,
  );
}
