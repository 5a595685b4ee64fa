import { signInHref } from "@/lib/client/sign-in-reasons";

/**
 * The way on after a change was refused for want of a recent sign-in (403 `reauth-required`):
 * the sign-in page, which shows its form to a signed-in person for this reason, and then back.
 * A plain link, a full navigation: the page after it is rendered for the new session.
 */
export function ReauthLink({ next }: { next: string }) {
  return (
    <p className="text-sm">
      <a href={signInHref("reauth-required", next)} className="font-medium text-indigo-700 underline-offset-4 hover:underline dark:text-indigo-300">
        Sign in again
      </a>
    </p>
  );
}
