"use client";

import { useId, useState, type ComponentProps, type ReactNode } from "react";
import { cn } from "./cn";
import { focusRing, inputBase, inputBorder, inputBorderInvalid } from "./styles";

export interface FieldProps extends Omit<ComponentProps<"input">, "id"> {
  label: string;
  /** Help shown under the field, linked to it with aria-describedby. */
  hint?: ReactNode;
  /** Validation messages; when present the field is marked aria-invalid. */
  errors?: readonly string[];
  /** For a password: a Show/Hide button, so people can check what they typed. */
  revealable?: boolean;
}

/** One labelled input with its hint and errors wired up for assistive technology. */
export function Field({ label, hint, errors = [], revealable = false, type = "text", className, ...input }: FieldProps) {
  const id = useId();
  const [revealed, setRevealed] = useState(false);
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const invalid = errors.length > 0;
  const describedBy = [hint === undefined ? null : hintId, invalid ? errorId : null].filter((part) => part !== null).join(" ");

  return (
    <div className={cn("space-y-1.5", className)}>
      <label htmlFor={id} className="block text-sm font-medium text-slate-800 dark:text-slate-200">
        {label}
      </label>
      <div className="relative">
        <input
          id={id}
          type={revealable && revealed ? "text" : type}
          aria-invalid={invalid || undefined}
          aria-describedby={describedBy === "" ? undefined : describedBy}
          className={cn(inputBase, invalid ? inputBorderInvalid : inputBorder, revealable && "pr-16")}
          {...input}
        />
        {revealable ? (
          <button
            type="button"
            onClick={() => setRevealed((value) => !value)}
            aria-pressed={revealed}
            aria-label={revealed ? `Hide ${label.toLowerCase()}` : `Show ${label.toLowerCase()}`}
            className={cn(
              "absolute inset-y-1 right-1 rounded-md px-2 text-xs font-medium text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800",
              focusRing,
            )}
          >
            {revealed ? "Hide" : "Show"}
          </button>
        ) : null}
      </div>
      {hint === undefined ? null : (
        <div id={hintId} className="text-sm text-slate-600 dark:text-slate-400">
          {hint}
        </div>
      )}
      {invalid ? (
        <ul id={errorId} className="space-y-0.5 text-sm text-red-700 dark:text-red-300">
          {errors.map((message) => (
            <li key={message}>{message}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

export interface TextAreaFieldProps extends Omit<ComponentProps<"textarea">, "id"> {
  label: string;
  hint?: ReactNode;
  errors?: readonly string[];
}

export function TextAreaField({ label, hint, errors = [], className, ...textarea }: TextAreaFieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const invalid = errors.length > 0;
  const describedBy = [hint === undefined ? null : hintId, invalid ? errorId : null].filter((part) => part !== null).join(" ");
  return (
    <div className={cn("space-y-1.5", className)}>
      <label htmlFor={id} className="block text-sm font-medium text-slate-800 dark:text-slate-200">
        {label}
      </label>
      <textarea
        id={id}
        aria-invalid={invalid || undefined}
        aria-describedby={describedBy === "" ? undefined : describedBy}
        className={cn(inputBase, invalid ? inputBorderInvalid : inputBorder, "min-h-28 resize-y")}
        {...textarea}
      />
      {hint === undefined ? null : (
        <div id={hintId} className="text-sm text-slate-600 dark:text-slate-400">
          {hint}
        </div>
      )}
      {invalid ? (
        <ul id={errorId} className="space-y-0.5 text-sm text-red-700 dark:text-red-300">
          {errors.map((message) => (
            <li key={message}>{message}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
