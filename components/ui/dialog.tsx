"use client";

import { useEffect, useId, useRef, type FormEvent, type ReactNode } from "react";
import { Button, type ButtonTone } from "./button";
import { SubmitButton } from "./submit-button";
import { cn } from "./cn";
import { card } from "./styles";

export interface ConfirmDialogProps {
  open: boolean;
  title: string;
  description?: ReactNode;
  /** Extra content between the description and the buttons: a password field, an error. */
  children?: ReactNode;
  confirmLabel: string;
  cancelLabel?: string;
  tone?: ButtonTone;
  pending?: boolean;
  /** The confirm button is off while cancelling stays possible (a rate limit's wait). */
  confirmDisabled?: boolean;
  /** Focus the confirm button as the dialog opens, when it is the one thing to do and no field comes first. */
  confirmAutoFocus?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}

/**
 * A modal confirmation on the native `<dialog>`: `showModal()` gives focus trapping, Escape to
 * cancel, an inert page behind it and the dialog role, with no script of our own for any of it.
 * Focus returns to the control that opened it when it closes.
 */
export function ConfirmDialog({
  open,
  title,
  description,
  children,
  confirmLabel,
  cancelLabel = "Cancel",
  tone = "primary",
  pending = false,
  confirmDisabled = false,
  confirmAutoFocus = false,
  onConfirm,
  onCancel,
}: ConfirmDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const descriptionId = useId();
  const confirmButton = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    const dialog = ref.current;
    if (dialog === null) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);

  // After the effect above: showModal() focuses the first control it finds, and this one wins.
  // Again when the dialog switches to a step with no field while open, and when a pending
  // action ends (a disabled button drops focus), so focus is never left on nothing.
  useEffect(() => {
    if (open && confirmAutoFocus && !pending) confirmButton.current?.focus();
  }, [open, confirmAutoFocus, pending]);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!pending && !confirmDisabled) onConfirm();
  }

  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      aria-describedby={description === undefined ? undefined : descriptionId}
      onCancel={(event) => {
        // Escape: let React state decide, so the dialog and the state never disagree.
        event.preventDefault();
        if (!pending) onCancel();
      }}
      className={cn(card, "m-auto w-[calc(100%-2rem)] max-w-md p-0 text-slate-900 backdrop:bg-slate-950/50 dark:text-slate-100")}
    >
      <form method="post" onSubmit={submit} className="space-y-4 p-6">
        <h2 id={titleId} className="text-lg font-semibold">
          {title}
        </h2>
        {description === undefined ? null : (
          <div id={descriptionId} className="text-sm text-slate-600 dark:text-slate-400">
            {description}
          </div>
        )}
        {children}
        <div className="flex flex-col-reverse gap-2 pt-2 sm:flex-row sm:justify-end">
          <Button tone="secondary" onClick={onCancel} disabled={pending}>
            {cancelLabel}
          </Button>
          <SubmitButton ref={confirmButton} tone={tone} pending={pending} disabled={confirmDisabled}>
            {confirmLabel}
          </SubmitButton>
        </div>
      </form>
    </dialog>
  );
}
