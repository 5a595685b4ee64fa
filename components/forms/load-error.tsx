import { Alert, LiveRegion } from "../ui/alert";
import { Button } from "../ui/button";
import { errorMessage } from "./messages";

/**
 * A list that could not load: announced at once, with the server's safe detail (never a raw
 * body, see ./messages.ts) and a way to try again without reloading the page.
 */
export function LoadError({ what, error, onRetry }: { what: string; error: unknown; onRetry: () => void }) {
  return (
    <LiveRegion politeness="assertive">
      <Alert tone="error" title={`Could not load ${what}`}>
        <p>{errorMessage(error).detail ?? "Try again in a moment."}</p>
        <Button size="sm" tone="secondary" className="mt-2" onClick={onRetry}>
          Try again
        </Button>
      </Alert>
    </LiveRegion>
  );
}
