/**
 * How `npm run scan` reads sqlmap (scripts/scan/sqlmap.ts) and which routes it sends it to
 * (scripts/scan/targets.ts, against the security suite's route manifest). The scan's verdict is only as good as this parsing: a finding read
 * as "not injectable", or a target that never reached its handler read as clean, would be a
 * false all-clear. The log lines are sqlmap 1.7's own.
 */
import { describe, expect, it } from "vitest";
import { apiRouteMethods } from "@/scripts/scan/targets-manifest";
import { parseSqlmapOutput, sqlmapArgs } from "@/scripts/scan/sqlmap";
import { ownedCollections, sqlmapTargets, uncovered } from "@/scripts/scan/targets";
import type { OpenApiDocument } from "@/lib/http/openapi";
import committed from "@/docs/openapi.json";

const DOCUMENT = committed as unknown as OpenApiDocument;

const CLEAN = `
[22:01:55] [INFO] testing if PATCH parameter 'JSON title' is dynamic
[22:01:58] [WARNING] PATCH parameter 'JSON title' does not seem to be injectable
[22:02:00] [WARNING] PATCH parameter 'JSON #1*' does not seem to be injectable
[22:03:14] [CRITICAL] target URL content appears to be heavily dynamic. sqlmap is going to retry the request(s)
[22:02:00] [ERROR] all tested parameters do not appear to be injectable. Try to increase values for '--level'/'--risk' options
[22:02:00] [WARNING] HTTP error codes detected during run:
400 (Bad Request) - 35 times, 401 (Unauthorized) - 35 times
`;

describe("reading sqlmap's log", () => {
  it("counts the parameters it reached a verdict on, and calls a clean run clean", () => {
    expect(parseSqlmapOutput(CLEAN)).toEqual({ parameters: ["JSON title", "JSON #1*"], injectable: [], serverErrors: 0, error: null });
  });

  it("reports an injectable parameter, even when sqlmap only prints the injection point summary", () => {
    const found = `${CLEAN}[22:05:00] [INFO] GET parameter 'sort' is 'PostgreSQL AND boolean-based blind - WHERE or HAVING clause' injectable\n`;
    expect(parseSqlmapOutput(found).injectable).toEqual(["sort"]);
    const summaryOnly = `${CLEAN}sqlmap identified the following injection point(s) with a total of 40 HTTP(s) requests:\n`;
    expect(parseSqlmapOutput(summaryOnly).injectable).toHaveLength(1);
  });

  it("adds up 5xx answers wherever they appear in the code summary", () => {
    const crashed = CLEAN.replace("401 (Unauthorized) - 35 times", "500 (Internal Server Error) - 3 times, 503 (Service Unavailable) - 2 times");
    expect(parseSqlmapOutput(crashed).serverErrors).toBe(5);
  });

  it("takes sqlmap's last word on a parameter: a withdrawn false positive is not a finding", () => {
    const withdrawn = [
      "[22:20:47] [INFO] (custom) POST parameter 'JSON password' appears to be 'AND boolean-based blind - WHERE or HAVING clause' injectable ",
      "[22:20:50] [INFO] checking if the injection point on (custom) POST parameter 'JSON password' is a false positive",
      "[22:20:51] [WARNING] false positive or unexploitable injection point detected",
      "[22:20:51] [WARNING] (custom) POST parameter 'JSON password' does not seem to be injectable",
    ].join("\n");
    expect(parseSqlmapOutput(withdrawn)).toMatchObject({ parameters: ["JSON password"], injectable: [] });
  });

  it("takes the confirmed injection points from sqlmap's closing summary", () => {
    const confirmed =
      "sqlmap identified the following injection point(s) with a total of 52 HTTP(s) requests:\n---\nParameter: JSON email ((custom) POST)\n    Type: boolean-based blind\n";
    expect(parseSqlmapOutput(confirmed).injectable).toEqual(["JSON email"]);
  });

  it("treats answers from the edge's CSRF and content-type checks as a target never reached", () => {
    const refused = "[22:03:00] [WARNING] Cookie parameter '__Secure-palisade-rt' does not seem to be injectable\n415 (Unsupported Media Type) - 200 times\n";
    expect(parseSqlmapOutput(refused).error).toBe("200 answers were 415: refused at the edge before the handler");
  });

  it("treats a target sqlmap gave up on, or one with no parameter tested, as an error", () => {
    expect(parseSqlmapOutput("[22:02:01] [ERROR] page not found (404), skipping to the next target\n").error).toContain("page not found");
    expect(parseSqlmapOutput("[22:02:01] [CRITICAL] unable to connect to the target URL\n").error).toContain("unable to connect");
    expect(parseSqlmapOutput("[22:02:01] [INFO] testing connection to the target URL\n").error).toBe("sqlmap tested no parameter");
  });
});

describe("sqlmap's command line", () => {
  const headers = { Origin: "https://palisade.test", "Sec-Fetch-Site": "same-origin" };

  it("sends a JSON body as JSON, with the browser's headers and the cookie", () => {
    const args = sqlmapArgs(
      { method: "POST", route: "/api/notes", url: "/api/notes", as: "admin", body: { type: "json", value: { title: "t" } } },
      "http://127.0.0.1:3650",
      headers,
      "a=b",
    );
    expect(args).toEqual(expect.arrayContaining(["--method", "POST", "--data", '{"title":"t"}', "--cookie", "a=b", "--level", "1"]));
    expect(args[args.indexOf("--headers") + 1]).toBe("Origin: https://palisade.test\nSec-Fetch-Site: same-origin\nContent-Type: application/json");
  });

  it("tests a cookie at level 2 and only that cookie, and gives a body-less POST a JSON type so it reaches the handler", () => {
    const args = sqlmapArgs(
      { method: "POST", route: "/api/auth/refresh", url: "/api/auth/refresh", as: "fresh-user", cookieParams: ["__Secure-palisade-rt"] },
      "http://h",
      headers,
      "c=d",
    );
    expect(args).toEqual(expect.arrayContaining(["--level", "2", "-p", "__Secure-palisade-rt"]));
    expect(args[args.indexOf("--headers") + 1]).toContain("Content-Type: application/json");
  });
});

describe("the scan's coverage", () => {
  // Two made-up objects for every owner-scoped collection the document describes, as the scan makes real ones.
  const owned = Object.fromEntries(ownedCollections(DOCUMENT).map(({ collection }, i) => [collection, { id: `o${i}`, doomedId: `d${i}` }]));
  const ids = { owned: { ...owned, "/api/notes": { id: "n1", doomedId: "n2" } }, otherUserId: "u", clientId: "c", clientSecret: "s", otherClientId: "o" };

  it("has a sqlmap target or a stated reason for every route method in app/", () => {
    const methods = apiRouteMethods();
    expect(methods.length).toBeGreaterThan(20);
    expect(uncovered(sqlmapTargets(ids, "https://palisade.test", DOCUMENT), methods)).toEqual([]);
  });

  it("derives an owner-scoped resource's targets from the OpenAPI document: its example, every query parameter, and an object of its own", () => {
    expect(ownedCollections(DOCUMENT)).toContainEqual({ collection: "/api/notes", example: { title: "Groceries", body: "eggs, flour" } });
    const notes = sqlmapTargets(ids, "https://palisade.test", DOCUMENT).filter((target) => target.route.startsWith("/api/notes"));
    expect(notes).toEqual([
      { method: "GET", route: "/api/notes", url: "/api/notes?page=1&limit=1&sort=created_at&order=asc", as: "admin" },
      { method: "POST", route: "/api/notes", url: "/api/notes", as: "admin", body: { type: "json", value: { title: "Groceries", body: "eggs, flour" } } },
      { method: "GET", route: "/api/notes/[id]", url: "/api/notes/n1*", as: "admin" },
      { method: "PATCH", route: "/api/notes/[id]", url: "/api/notes/n1*", as: "admin", body: { type: "json", value: { title: "Groceries for Sunday" } } },
      { method: "DELETE", route: "/api/notes/[id]", url: "/api/notes/n2*", as: "admin" },
    ]);
  });

  it("leaves an owned item route uncovered, so the scan stops, when it has no object to name", () => {
    const { "/api/notes": _notes, ...others } = ids.owned;
    const targets = sqlmapTargets({ ...ids, owned: others }, "https://palisade.test", DOCUMENT);
    expect(uncovered(targets, apiRouteMethods())).toEqual(["GET /api/notes/[id]", "PATCH /api/notes/[id]", "DELETE /api/notes/[id]"]);
  });

  it("names a route method nobody accounted for", () => {
    expect(uncovered([], ["GET /api/health", "POST /api/new-thing"])).toEqual(["POST /api/new-thing"]);
  });
});
