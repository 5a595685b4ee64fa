"use client";

import { useSyncExternalStore } from "react";
import { Button, type ButtonProps } from "./button";

const neverChanges = () => () => {};

/** False during the server render and hydration, true once React runs in the browser. */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    neverChanges,
    () => true,
    () => false,
  );
}

/**
 * A form's submit button that stays disabled until the page is interactive. Before hydration the
 * form is plain HTML: a click would submit it natively, bypassing the validation and the API
 * client, so the button simply waits (a fraction of a second) for the code that handles it.
 */
export function SubmitButton({ disabled, ...props }: Omit<ButtonProps, "type">) {
  const hydrated = useHydrated();
  return <Button type="submit" disabled={disabled === true || !hydrated} {...props} />;
}
