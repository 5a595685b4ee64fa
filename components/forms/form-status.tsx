import { Alert, LiveRegion } from "../ui/alert";

export interface FormMessage {
  tone: "error" | "success" | "info" | "warning";
  title: string;
  detail?: string;
  /** Shown small, so a report can quote it; never anything but the server's request ID. */
  requestId?: string;
}

/**
 * The form-level message slot: a live region that is always there (errors are announced the
 * moment they appear), holding at most one message.
 */
export function FormStatus({ message, className }: { message: FormMessage | null; className?: string }) {
  return (
    <LiveRegion politeness={message?.tone === "error" ? "assertive" : "polite"} className={className}>
      {message === null ? null : (
        <Alert tone={message.tone} title={message.title}>
          {message.detail === undefined && message.requestId === undefined ? undefined : (
            <>
              {message.detail}
              {message.requestId === undefined ? null : <span className="mt-1 block font-mono text-xs opacity-80">Request ID {message.requestId}</span>}
            </>
          )}
        </Alert>
      )}
    </LiveRegion>
  );
}
