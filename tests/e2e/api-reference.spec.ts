/**
 * The API reference page (/api-reference), rendered on the server from docs/openapi.json. What a
 * browser has to prove: every operation in the committed document is on the page with its own
 * anchor, the problem codes each response can carry are shown, and the page runs under the
 * enforcing nonce CSP with no script lacking the nonce, no inline style for the policy to block,
 * and no violation. The suite's console guard (./support/fixtures.ts) fails any test here on a
 * console error or CSP violation as well.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { expect, test } from "./support/fixtures";

const PAGE = "/api-reference";
const METHODS = new Set(["get", "put", "post", "patch", "delete", "options", "head", "trace"]);

interface DocumentedOperation {
  method: string;
  path: string;
  operationId: string;
  responses: Record<string, { "x-problem-codes"?: string[] }>;
  requestBody?: { content: Record<string, { example?: unknown }> };
}

interface OpenApiFile {
  paths: Record<string, Record<string, Omit<DocumentedOperation, "method" | "path">>>;
}

// Read from disk, as the server imports it: the page must match the committed file, whatever it holds today.
const openApi = JSON.parse(readFileSync(path.join(process.cwd(), "docs", "openapi.json"), "utf8")) as OpenApiFile;
const OPERATIONS: DocumentedOperation[] = Object.entries(openApi.paths).flatMap(([pathname, item]) =>
  Object.entries(item)
    .filter(([key]) => METHODS.has(key))
    .map(([method, operation]) => ({ ...operation, method: method.toUpperCase(), path: pathname })),
);

function operation(method: string, pathname: string): DocumentedOperation {
  const found = OPERATIONS.find((candidate) => candidate.method === method && candidate.path === pathname);
  if (found === undefined) throw new Error(`docs/openapi.json has no ${method} ${pathname}`);
  return found;
}

async function open(page: Page) {
  const response = await page.goto(PAGE);
  await expect(page.getByRole("heading", { level: 1, name: "API reference" })).toBeVisible();
  return response;
}

test("every operation in docs/openapi.json has its own anchor, linked from the contents", async ({ page }) => {
  expect(OPERATIONS.length).toBeGreaterThan(0);
  await open(page);

  const anchors = await page.locator("main article[id]").evaluateAll((articles) => articles.map((article) => article.id));
  expect(anchors).toHaveLength(OPERATIONS.length);
  expect([...anchors].sort()).toEqual(OPERATIONS.map((entry) => entry.operationId).sort());

  const contents = page.getByRole("navigation", { name: "Contents" });
  for (const entry of OPERATIONS) {
    const article = page.locator(`article[id="${entry.operationId}"]`);
    await expect(article.getByRole("heading", { level: 3 })).toHaveText(`${entry.method} ${entry.path}`);
    await expect(contents.locator(`a[href="#${entry.operationId}"]`)).toHaveCount(1);
  }

  // An in-page link, no script: following it lands on the operation.
  const target = operation("GET", "/api/notes/{id}");
  await contents.getByRole("link", { name: `GET ${target.path}`, exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`#${target.operationId}$`));
  await expect(page.locator(`article[id="${target.operationId}"]`)).toBeInViewport();
});

test("GET /api/notes/{id} shows who may call it and every problem code it can get", async ({ page }) => {
  const target = operation("GET", "/api/notes/{id}");
  const documented = Object.entries(target.responses).filter(([, response]) => (response["x-problem-codes"] ?? []).length > 0);
  expect(documented.map(([status]) => status)).toContain("404");
  await open(page);

  const article = page.locator(`article[id="${target.operationId}"]`);
  await expect(article).toContainText("Permission note:read");
  const problems = article.getByRole("table", { name: `GET ${target.path} problem responses` });
  for (const [status, response] of documented) {
    const row = problems.getByRole("row").filter({ has: page.getByRole("rowheader", { name: status, exact: true }) });
    for (const code of response["x-problem-codes"] ?? []) await expect(row).toContainText(code);
  }
  await expect(problems.getByRole("row").filter({ hasText: "ERR_NOT_FOUND" })).toContainText("404");

  // A public route says so, with its reason; a body schema is shown field by field with its limits.
  await expect(page.locator(`article[id="${operation("GET", "/api/health").operationId}"]`)).toContainText("Public — ");
  const body = page.getByRole("table", { name: "PATCH /api/notes/{id} request body fields" });
  await expect(body.getByRole("row").filter({ has: page.getByRole("rowheader", { name: "title", exact: true }) })).toContainText("length 1–200");
  // The contract's example, as it goes on the wire: JSON here, a URL-encoded form at the token endpoint.
  const example = operation("PATCH", "/api/notes/{id}").requestBody?.content["application/json"]?.example;
  expect(example).toBeDefined();
  expect(JSON.parse((await page.getByLabel("PATCH /api/notes/{id} request example").textContent()) ?? "")).toEqual(example);
  await expect(page.getByLabel("POST /api/oauth/token request example")).toHaveText("grant_type=client_credentials&scope=reports%3Aread");
});

test("served under the nonce CSP: every script carries the nonce, no inline style, no violation", async ({ page }) => {
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __violations: string[] }).__violations = seen;
    document.addEventListener("securitypolicyviolation", (event) => seen.push(`${event.effectiveDirective} ${event.blockedURI}`));
  });
  const response = await open(page);
  await page.waitForLoadState("networkidle");
  expect(response?.status()).toBe(200);

  const headers = response?.headers() ?? {};
  expect(headers["content-security-policy-report-only"]).toBeUndefined();
  const policy = headers["content-security-policy"] ?? "";
  const nonce = /'nonce-([^']+)'/.exec(policy)?.[1];
  expect(nonce, "the CSP has a nonce").toBeDefined();
  expect(policy).toContain("'strict-dynamic'");
  expect(policy).not.toContain("'unsafe-inline'");

  // The document exactly as this response sent it, so its tags are judged against its own nonce.
  const html = (await response?.text()) ?? "";
  const scriptTags = html.match(/<script\b[^>]*>/g) ?? [];
  expect(scriptTags.length, "script tags in the HTML").toBeGreaterThan(0);
  expect(scriptTags.filter((tag) => !tag.includes(` nonce="${nonce}"`))).toEqual([]);
  // style-src has no 'unsafe-inline': a style attribute in the markup would be blocked.
  expect(html.match(/<[a-z][^>]*\sstyle="[^"]*"/gi) ?? []).toEqual([]);

  // And in the live page, after hydration: any <script> element, however it got there, has it.
  const unnonced = await page.evaluate(
    (expected) =>
      [...document.querySelectorAll("script")]
        .filter((script) => script.nonce !== expected)
        .map((script) => script.src || script.textContent?.slice(0, 60) || "(empty)"),
    nonce,
  );
  expect(unnonced).toEqual([]);
  expect(await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations)).toEqual([]);
});

test("accessible in both colour schemes, headings in order, and no sideways scroll on a phone", async ({ page }) => {
  // Two axe audits of every operation's section: the budget pages.spec.ts gives its audits.
  test.setTimeout(120_000);
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await open(page);
    const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]).analyze();
    const serious = results.violations
      .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
      .map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`);
    expect(serious, `accessibility violations (${scheme})`).toEqual([]);
  }

  const levels = await page.locator("h1, h2, h3, h4, h5, h6").evaluateAll((headings) => headings.map((heading) => Number(heading.tagName.slice(1))));
  expect(levels.filter((level) => level === 1)).toHaveLength(1);
  const skips = levels.flatMap((level, index) => (index > 0 && level > (levels[index - 1] as number) + 1 ? [`h${levels[index - 1]} → h${level}`] : []));
  expect(skips).toEqual([]);

  await page.setViewportSize({ width: 360, height: 740 });
  await open(page);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, `the page overflows by ${overflow}px`).toBeLessThanOrEqual(0);
});
