import { passwordHint, type HintLevel } from "@/lib/client/password-hint";
import type { PasswordContext } from "@/lib/auth/password-policy";
import { cn } from "../ui/cn";

const SEGMENT_COLOURS: Record<HintLevel, string> = {
  0: "bg-slate-200 dark:bg-slate-700",
  1: "bg-amber-500",
  2: "bg-emerald-500",
  3: "bg-emerald-600 dark:bg-emerald-400",
};

/**
 * The hint under a new-password field: three segments and one sentence, both following the real
 * policy (lib/client/password-hint.ts). Meant as the field's `hint`, so it is read out with the
 * field (aria-describedby) rather than announced on every keystroke.
 */
export function PasswordStrength({ password, context }: { password: string; context?: PasswordContext }) {
  const hint = passwordHint(password, context);
  return (
    <span className="block space-y-1.5">
      <span aria-hidden="true" className="flex gap-1">
        {[1, 2, 3].map((segment) => (
          <span
            key={segment}
            className={cn("h-1 flex-1 rounded-full transition-colors", hint.level >= segment ? SEGMENT_COLOURS[hint.level] : SEGMENT_COLOURS[0])}
          />
        ))}
      </span>
      <span className="block" data-testid="password-hint">
        {hint.message}
      </span>
    </span>
  );
}
