"use client";

import { useSyncExternalStore } from "react";
import { formatDateTime, formatRelative } from "@/lib/client/format";

const neverChanges = () => () => {};

const UTC = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

function utcText(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? "—" : `${UTC.format(date)} UTC`;
}

/**
 * A timestamp in the reader's own time zone and locale. The server does not know either, so it
 * renders UTC, and the browser swaps in local time as it hydrates: `useSyncExternalStore` gives
 * the two renders different snapshots on purpose, which React treats as expected rather than as
 * a hydration mismatch.
 */
export function LocalTime({ iso, relative = false }: { iso: string; relative?: boolean }) {
  const text = useSyncExternalStore(
    neverChanges,
    () => (relative ? formatRelative(iso) : formatDateTime(iso)),
    () => utcText(iso),
  );
  return (
    <time dateTime={iso} title={relative ? utcText(iso) : undefined}>
      {text}
    </time>
  );
}
