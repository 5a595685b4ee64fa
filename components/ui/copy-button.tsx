"use client";

import { useEffect, useState } from "react";
import { Button, type ButtonProps } from "./button";

type CopyState = "idle" | "copied" | "failed";

/**
 * Copies `text` to the clipboard. The outcome is said twice: the button's label changes for
 * sighted users, and a polite live region beside it tells a screen reader, which would not
 * otherwise hear a label change on the control it is already on. Where the clipboard is refused
 * (a permission, an embedded browser), it says so, and the text stays on screen to select by hand.
 */
export function CopyButton({
  text,
  label,
  copiedLabel = "Copied",
  ...props
}: { text: string; label: string; copiedLabel?: string } & Omit<ButtonProps, "onClick" | "children">) {
  const [state, setState] = useState<CopyState>("idle");

  useEffect(() => {
    if (state === "idle") return;
    const timer = window.setTimeout(() => setState("idle"), 3000);
    return () => window.clearTimeout(timer);
  }, [state]);

  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setState("copied");
    } catch {
      setState("failed");
    }
  }

  return (
    <>
      <Button tone="secondary" size="sm" {...props} onClick={() => void copy()}>
        {state === "copied" ? copiedLabel : label}
      </Button>
      <span aria-live="polite" className="sr-only">
        {state === "copied" ? `${copiedLabel}.` : state === "failed" ? "Could not copy. Select the text and copy it instead." : ""}
      </span>
    </>
  );
}
