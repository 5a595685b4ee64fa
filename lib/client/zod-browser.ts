/**
 * zod in the browser, under a strict CSP.
 *
 * zod 4 compiles object parsers with `new Function` when it can, and finds out whether it can by
 * trying once. Under our CSP (no 'unsafe-eval') the attempt is refused; zod catches the error
 * and falls back, but the browser has already reported a `securitypolicyviolation`, and a page
 * that reports violations for normal use hides the ones that matter. `jitless` skips both the
 * probe and the compiler. Browser only: the server keeps the faster compiled parsers.
 */
import { z } from "zod";

if (typeof window !== "undefined") z.config({ jitless: true });
