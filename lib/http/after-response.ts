/**
 * Work that must not shape the response: it runs after the answer has gone.
 *
 * Threat: account enumeration by timing. "Forgot password" and sign-up answer the same words for
 * a known and an unknown address, but if one case writes rows and waits for a mail relay while
 * the other does not, the clock tells them apart. Defence: the handler does only the work both
 * cases share (parsing, the rate limits, and for sign-up the one argon2 hash), answers, and
 * hands the rest to `afterResponse`. Next's `after()` runs it once the response is sent (on
 * Vercel through the platform's `waitUntil`, so the function lives until the task ends).
 *
 * Outside a request (a script, or a test calling a handler directly) there is no response to
 * wait for: the task starts at once and `settleAfterResponse()` waits for every one still running.
 * A task's failure is logged, never thrown: the person already has their answer.
 */
import "server-only";
import { after } from "next/server";
import { log } from "../log";

// One registry per process, not per module copy: a test runner or a dev server that loads this
// module afresh must still find the tasks an earlier copy started.
const REGISTRY = Symbol.for("palisade.after-response.running");
const holder = globalThis as typeof globalThis & { [REGISTRY]?: Set<Promise<void>> };
const running: Set<Promise<void>> = (holder[REGISTRY] ??= new Set());

export function afterResponse(name: string, task: () => Promise<void>): void {
  const run = async (): Promise<void> => {
    try {
      await task();
    } catch (error) {
      log.error({ err: error, task: name }, "after-response task failed");
    }
  };
  try {
    after(run);
    return;
  } catch {
    // Not inside a request: run it now, and keep it where settleAfterResponse can find it.
  }
  const promise: Promise<void> = run().finally(() => running.delete(promise));
  running.add(promise);
}

/** Wait until every task started outside a request has finished (scripts and tests). */
export async function settleAfterResponse(): Promise<void> {
  while (running.size > 0) await Promise.all([...running]);
}
