"use client";

import { PasswordStrength } from "../auth/password-strength";
import { Field } from "../ui/field";

/**
 * The "New password" input with its live strength hint, which judges the password against the
 * account's own email and name as the server's policy does (ADR 005).
 */
export function NewPasswordField({
  value,
  errors,
  context,
  onChange,
}: {
  value: string;
  errors: readonly string[];
  context: { email: string; name: string };
  onChange: (value: string) => void;
}) {
  return (
    <Field
      label="New password"
      name="newPassword"
      type="password"
      autoComplete="new-password"
      required
      revealable
      value={value}
      errors={errors}
      hint={<PasswordStrength password={value} context={context} />}
      onChange={(event) => onChange(event.target.value)}
    />
  );
}
