"use client";

import { ButtonLink } from "../ui/button";
import { ResultPanel } from "../ui/result-panel";
import { MailedLinkAction } from "./mailed-link-action";

/**
 * The three address links, each a page with one button (./mailed-link-action.tsx). Client
 * components, because what each shows once done is a function of the address the server answers.
 */

/** `/verify-email#token=…`, mailed at sign-up and from the banner's "Send a new link". */
export function VerifyEmailLink() {
  return (
    <MailedLinkAction
      endpoint="/api/auth/email/verify"
      action="Confirm my email address"
      unusable={<p>Sign in and ask for a new one from the banner.</p>}
      unusableActions={
        <ButtonLink href="/signin" tone="secondary">
          Sign in
        </ButtonLink>
      }
      done={(email) => (
        <ResultPanel tone="success" title="Your email address is confirmed" actions={<ButtonLink href="/dashboard">Continue</ButtonLink>}>
          <p>Password reset links and security notices for this account go to {email}.</p>
        </ResultPanel>
      )}
    />
  );
}

/** `/email/confirm#token=…`, mailed to the new address of an address change. */
export function ConfirmEmailChangeLink() {
  return (
    <MailedLinkAction
      endpoint="/api/auth/email/confirm"
      action="Confirm new address"
      unusable={<p>Sign in and ask for the change again from your account page.</p>}
      unusableActions={
        <ButtonLink href="/account" tone="secondary">
          Go to your account
        </ButtonLink>
      }
      done={(email) => (
        <ResultPanel
          tone="success"
          title={`Your address is now ${email}`}
          actions={
            <ButtonLink href="/account" tone="secondary">
              Go to your account
            </ButtonLink>
          }
        >
          <p>Sign in with it from now on. Your previous address was told, with a link to undo the change.</p>
        </ResultPanel>
      )}
    />
  );
}

/** `/email/undo#token=…`, mailed to the previous address once a change has taken effect. */
export function UndoEmailChangeLink() {
  return (
    <MailedLinkAction
      endpoint="/api/auth/email/undo"
      action="Undo the change"
      unusable={<p>An undo link works once, within 72 hours of the change.</p>}
      done={(email) => (
        <ResultPanel tone="success" title={`Your address ${email} is back`} actions={<ButtonLink href="/forgot-password">Reset your password</ButtonLink>}>
          <p>Every device was signed out. Choose a new password now, in case someone else knows it.</p>
        </ResultPanel>
      )}
    />
  );
}
