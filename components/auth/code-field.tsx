"use client";

import { totpInput, type CodeMethod, type SecondFactorMethod } from "@/lib/client/second-factor";
import { Field } from "../ui/field";
import { cn } from "../ui/cn";
import { focusRing } from "../ui/styles";

export interface CodeFieldProps {
  method: CodeMethod;
  value: string;
  onChange: (value: string) => void;
  errors?: readonly string[];
  /** Put the caret in the field as it appears: the code is the only thing the step asks for. */
  autoFocus?: boolean;
  disabled?: boolean;
  /** The TOTP field's label, when the context needs other words. */
  totpLabel?: string;
}

/**
 * The one field a second factor is typed into: six digits from an authenticator app, or a
 * recovery code. The TOTP field asks phones for the digit keypad (`inputMode`), lets the system
 * offer a code it received (`autocomplete="one-time-code"`), and keeps digits only, so a pasted
 * "123 456" works. The recovery field takes letters and digits as printed, with dashes or not.
 * Each method is its own element (`key`), so switching moves focus to a fresh, empty field.
 */
export function CodeField({ method, value, onChange, errors = [], autoFocus = false, disabled = false, totpLabel = "Authentication code" }: CodeFieldProps) {
  if (method === "totp") {
    return (
      <Field
        key="totp"
        label={totpLabel}
        name="code"
        hint="The 6-digit code your authenticator app shows for Palisade."
        inputMode="numeric"
        autoComplete="one-time-code"
        pattern="[0-9]{6}"
        maxLength={6}
        spellCheck={false}
        required
        autoFocus={autoFocus}
        disabled={disabled}
        value={value}
        errors={errors}
        className="[&_input]:font-mono [&_input]:tracking-[0.3em]"
        onChange={(event) => onChange(totpInput(event.target.value))}
      />
    );
  }
  return (
    <Field
      key="recovery-code"
      label="Recovery code"
      name="recoveryCode"
      hint="One of the codes you saved when you turned on two-step verification. Each code works once."
      autoComplete="off"
      autoCapitalize="characters"
      spellCheck={false}
      maxLength={40}
      required
      autoFocus={autoFocus}
      disabled={disabled}
      value={value}
      errors={errors}
      className="[&_input]:font-mono"
      onChange={(event) => onChange(event.target.value)}
    />
  );
}

const SWITCH_LABELS: Readonly<Record<SecondFactorMethod, string>> = {
  passkey: "Use a passkey instead",
  totp: "Use your authenticator app instead",
  "recovery-code": "Use a recovery code instead",
};

/**
 * The ways to switch to, for a step that accepts several second factors: every method offered
 * except the one in use, in the order they were offered.
 */
export function SecondFactorMethodSwitch({
  method,
  methods,
  onSwitch,
  disabled = false,
}: {
  method: SecondFactorMethod;
  methods: readonly SecondFactorMethod[];
  onSwitch: (method: SecondFactorMethod) => void;
  disabled?: boolean;
}) {
  const others = methods.filter((other) => other !== method);
  if (others.length === 0) return null;
  return (
    <ul className="flex flex-col items-start gap-2">
      {others.map((other) => (
        <li key={other}>
          <button
            type="button"
            disabled={disabled}
            onClick={() => onSwitch(other)}
            className={cn(
              "rounded-sm text-sm font-medium text-indigo-700 underline-offset-4 hover:underline disabled:cursor-not-allowed disabled:opacity-60 dark:text-indigo-300",
              focusRing,
            )}
          >
            {SWITCH_LABELS[other]}
          </button>
        </li>
      ))}
    </ul>
  );
}
