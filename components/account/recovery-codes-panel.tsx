"use client";

import { useEffect, useRef } from "react";
import { recoveryCodesText } from "@/lib/client/second-factor";
import { Alert } from "../ui/alert";
import { Button } from "../ui/button";
import { CopyButton } from "../ui/copy-button";

const FILE_NAME = "palisade-recovery-codes.txt";

/**
 * Save the text as a file, made in the page: a Blob and an object URL, released right after
 * the click, so the codes go nowhere but the person's own disk (no request, no cache).
 */
function download(text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: "text/plain;charset=utf-8" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = FILE_NAME;
  link.rel = "noopener";
  document.body.append(link);
  link.click();
  link.remove();
  // A tick later: some browsers start reading the URL only after the click returns.
  window.setTimeout(() => URL.revokeObjectURL(url), 0);
}

/**
 * New recovery codes, shown once (ADR 046): the server keeps only their hashes, so this is the
 * only time they exist outside the person's hands. Copy and download are offered, and the panel
 * stays until the person says they saved them; leaving it drops the codes from memory.
 * Focus moves to the heading as the panel replaces the form that was there.
 */
export function RecoveryCodesPanel({
  codes,
  account,
  replaced,
  onDone,
  lostWhat = "your phone",
  usedInstead = "a code from the app",
}: {
  codes: readonly string[];
  account: string;
  replaced: boolean;
  onDone: () => void;
  /** What the codes stand in for, in the lead: the phone with the app, or the devices with the passkeys. */
  lostWhat?: string;
  usedInstead?: string;
}) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    heading.current?.focus();
  }, []);
  const text = recoveryCodesText(codes, account, new Date());

  return (
    <section aria-labelledby="recovery-codes-heading" className="space-y-4">
      <div className="space-y-1">
        <h3 id="recovery-codes-heading" ref={heading} tabIndex={-1} className="text-base font-semibold outline-none">
          Save your recovery codes
        </h3>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          If you lose {lostWhat}, each of these codes signs you in once in place of {usedInstead}. Keep them somewhere safe, such as a password manager or a
          printed copy.
        </p>
      </div>
      <Alert tone="warning" title="This is the only time these codes are shown.">
        {replaced ? "Your previous recovery codes no longer work." : "You can generate new ones later, which stops these from working."}
      </Alert>
      <ol
        aria-label="Recovery codes"
        data-testid="recovery-codes"
        className="grid gap-x-6 gap-y-1.5 rounded-lg border border-slate-200 bg-slate-50 px-4 py-3 font-mono text-sm sm:grid-cols-2 dark:border-slate-800 dark:bg-slate-950"
      >
        {codes.map((code) => (
          <li key={code} className="break-all">
            {code}
          </li>
        ))}
      </ol>
      <div className="flex flex-wrap items-center gap-2">
        <CopyButton text={codes.join("\n")} label="Copy codes" copiedLabel="Codes copied" />
        <Button tone="secondary" size="sm" onClick={() => download(text)}>
          Download as a text file
        </Button>
        <Button onClick={onDone} className="sm:ml-auto">
          I have saved them
        </Button>
      </div>
    </section>
  );
}
