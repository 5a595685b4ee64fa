/**
 * Every protected page calls its page guard (lib/auth/page-guards.ts) before it reads anything.
 *
 * Threat: a page under app/(app) renders a person's data on the server. The edge sends a
 * visitor without a session to sign in, but a middleware can be skipped (CVE-2025-29927), so the
 * page itself must ask who is signed in, and an admin page must require an admin. A page added
 * without the call would render for anyone who reached it. This test reads each page's syntax
 * tree, not its text, so a guard named in a comment or a string does not count. The guard has
 * to be a top-level `await` in the page's default export, and only the route's own params or
 * search params may be read before it.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const APP = path.join(process.cwd(), "app", "(app)");

function pages(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return pages(full);
    return entry.name === "page.tsx" ? [full] : [];
  });
}

/** The guard an `await` expression calls, if it calls one directly. */
function guardCalled(expression: ts.Expression): string | null {
  if (!ts.isAwaitExpression(expression) || !ts.isCallExpression(expression.expression)) return null;
  const callee = expression.expression.expression;
  return ts.isIdentifier(callee) && (callee.text === "requireAccount" || callee.text === "requireAdminAccount") ? callee.text : null;
}

/** The guard the page's default export awaits first, or why there is none. */
function firstGuard(file: string): { guard: string } | { problem: string } {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const page = source.statements.find(
    (statement): statement is ts.FunctionDeclaration =>
      ts.isFunctionDeclaration(statement) && (statement.modifiers ?? []).some((modifier) => modifier.kind === ts.SyntaxKind.DefaultKeyword),
  );
  if (page?.body === undefined) return { problem: "no `export default async function` page" };
  const routeInputs = new Set(
    page.parameters.flatMap((parameter) => (ts.isObjectBindingPattern(parameter.name) ? parameter.name.elements.map((element) => element.name.getText()) : [])),
  );
  for (const statement of page.body.statements) {
    const expressions = ts.isVariableStatement(statement)
      ? statement.declarationList.declarations.flatMap((declaration) => (declaration.initializer === undefined ? [] : [declaration.initializer]))
      : ts.isExpressionStatement(statement)
        ? [statement.expression]
        : [];
    for (const expression of expressions) {
      const guard = guardCalled(expression);
      if (guard !== null) return { guard };
    }
    // Reading the route's own params or search params first is fine; anything else is work before the guard.
    const readsOnlyRouteInputs =
      statement
        .getText()
        .match(/\bawait\s+([A-Za-z_$][\w$]*)/g)
        ?.every((read) => routeInputs.has(read.replace(/^await\s+/, ""))) ?? true;
    if (!readsOnlyRouteInputs || ts.isReturnStatement(statement) || ts.isIfStatement(statement)) {
      return { problem: `\`${statement.getText().split("\n")[0]}\` runs before any page guard` };
    }
  }
  return { problem: "the page never awaits requireAccount() or requireAdminAccount()" };
}

describe("every protected page guards itself", () => {
  const files = pages(APP);

  it("finds the protected pages", () => {
    expect(files.length).toBeGreaterThanOrEqual(6);
  });

  it.each(files.map((file) => [path.relative(process.cwd(), file), file] as const))("%s awaits its page guard before anything else", (name, file) => {
    const found = firstGuard(file);
    expect("problem" in found ? found.problem : "", `${name}: call \`await requireAccount(path)\` (or requireAdminAccount under /admin) first`).toBe("");
    const isAdminPage = name.split(path.sep).includes("admin");
    if ("guard" in found) expect(found.guard, `${name} is an admin page`).toBe(isAdminPage ? "requireAdminAccount" : "requireAccount");
  });

  it("is not satisfied by a guard in a comment, or by one called after reading data", () => {
    const probe = path.join(process.cwd(), "test-results", "page-guard-probe.tsx");
    const cases = {
      comment: 'export default async function Page() {\n  // await requireAccount("/x")\n  return null;\n}\n',
      late: 'export default async function Page() {\n  const notes = await listNotes();\n  const account = await requireAccount("/x");\n  return notes;\n}\n',
    };
    for (const [label, text] of Object.entries(cases)) {
      ts.sys.writeFile(probe, text);
      expect("problem" in firstGuard(probe), label).toBe(true);
    }
  });
});
