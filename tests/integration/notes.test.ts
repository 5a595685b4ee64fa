/**
 * Notes, the demo owned resource: object-level authorization (OWASP API1), mass assignment
 * (API3), unbounded or type-juggled list queries (API4), on PGlite and Postgres.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { databaseKinds } from "../support/databases";
import { call } from "../support/http";
import { integrationSuite } from "../support/app";
import type { World } from "../support/authz-world";
import { PublicNoteSchema } from "@/lib/notes/public-note";
import { pageSchema } from "@/lib/http/query";

const BASE = "http://localhost:3000/api/notes";
const NoteList = pageSchema(PublicNoteSchema);
/** A well-formed id that names no note. */
const MISSING = "cnotthere0000000000000000";

describe.each(databaseKinds())("notes on %s", (kind) => {
  const suite = integrationSuite(kind);
  let world: World;

  beforeEach(async () => {
    await suite.kit.reset();
    world = await suite.kit.build();
  });

  const as = (who: "userA" | "userB" | "admin") => world[who].jar();

  async function notesOf(ownerId: string) {
    return suite.kit.db.note.findMany({ where: { ownerId }, orderBy: { id: "asc" } });
  }

  describe("ownership is part of every query", () => {
    it("lists only the caller's own notes, and counts only theirs", async () => {
      for (const title of ["one", "two"]) await suite.kit.db.note.create({ data: { ownerId: world.userA.id, title } });
      const response = await call(suite.routes.listNotes, { jar: as("userA"), url: BASE });
      expect(response.status).toBe(200);
      const page = NoteList.parse(await response.json());
      expect(page.total).toBe(3);
      expect(page.items.map((note) => note.id)).not.toContain(world.noteB);
      const bobs = NoteList.parse(await (await call(suite.routes.listNotes, { jar: as("userB"), url: BASE })).json());
      expect(bobs.items.map((note) => note.id)).toEqual([world.noteB]);
    });

    it("answers another user's note exactly as it answers a note that does not exist", async () => {
      const strip = async (response: Response) => {
        const { requestId: _requestId, ...body } = await response.json();
        return { status: response.status, type: response.headers.get("content-type"), body };
      };
      for (const [handler, method, body] of [
        [suite.routes.readNote, "GET", undefined],
        [suite.routes.updateNote, "PATCH", { title: "mine now" }],
        [suite.routes.deleteNote, "DELETE", undefined],
      ] as const) {
        const theirs = await call(handler, { method, body, jar: as("userA"), params: { id: world.noteB }, url: `${BASE}/${world.noteB}` });
        const missing = await call(handler, { method, body, jar: as("userA"), params: { id: MISSING }, url: `${BASE}/${MISSING}` });
        expect(theirs.status, method).toBe(404);
        expect(await strip(theirs), method).toEqual(await strip(missing));
      }
      const [note] = await notesOf(world.userB.id);
      expect(note).toMatchObject({ id: world.noteB, title: "B's note", body: "private" });
    });

    it("gives an admin no access to another user's note: read, change and delete all 404", async () => {
      const before = await notesOf(world.userA.id);
      for (const [handler, method, body] of [
        [suite.routes.readNote, "GET", undefined],
        [suite.routes.updateNote, "PATCH", { body: "read by admin" }],
        [suite.routes.deleteNote, "DELETE", undefined],
      ] as const) {
        const response = await call(handler, { method, body, jar: as("admin"), params: { id: world.noteA }, url: `${BASE}/${world.noteA}` });
        expect(response.status, method).toBe(404);
      }
      expect(await notesOf(world.userA.id)).toEqual(before);
    });

    it("lets the owner read, change and delete their note", async () => {
      const params = { id: world.noteA };
      const url = `${BASE}/${world.noteA}`;
      const read = await call(suite.routes.readNote, { jar: as("userA"), params, url });
      expect(PublicNoteSchema.parse(await read.json()).title).toBe("A's note");
      const changed = await call(suite.routes.updateNote, { method: "PATCH", body: { body: "  updated  " }, jar: as("userA"), params, url });
      expect(changed.status).toBe(200);
      expect(PublicNoteSchema.parse(await changed.json())).toMatchObject({ title: "A's note", body: "updated" });
      expect((await call(suite.routes.deleteNote, { method: "DELETE", jar: as("userA"), params, url })).status).toBe(204);
      expect(await notesOf(world.userA.id)).toEqual([]);
    });

    it("creates a note owned by the caller and returns only public fields", async () => {
      const response = await call(suite.routes.createNote, { body: { title: "  Groceries ", body: " eggs " }, jar: as("userB"), url: BASE });
      expect(response.status).toBe(201);
      const text = await response.clone().text();
      const note = PublicNoteSchema.parse(await response.json());
      expect(note).toMatchObject({ title: "Groceries", body: "eggs" });
      expect(text).not.toMatch(/ownerId|owner/);
      expect(response.headers.get("location")).toBe(`/api/notes/${note.id}`);
      expect((await notesOf(world.userB.id)).map((row) => row.id)).toContain(note.id);
    });
  });

  describe("request bodies: only title and body, trimmed and bounded", () => {
    it.each([
      ["an owner", { title: "x", ownerId: "someone-else" }, "ownerId"],
      ["an id", { title: "x", id: "c00000000000000000000000" }, "id"],
      ["a creation time", { title: "x", createdAt: "2020-01-01T00:00:00.000Z" }, "createdAt"],
      ["an update time", { title: "x", updatedAt: "2020-01-01T00:00:00.000Z" }, "updatedAt"],
      // Regression: a field named after an Object.prototype member used to turn this 400 into a 500.
      ["a field named toString", { title: "x", toString: "y" }, "toString"],
    ])("refuses a note that sets %s (mass assignment), and creates nothing", async (_what, body, field) => {
      const before = await suite.kit.db.note.count();
      const response = await call(suite.routes.createNote, { body, jar: as("userA"), url: BASE });
      expect(response.status).toBe(400);
      expect((await response.json()).errors).toEqual({ [field]: ["Unexpected field."] });
      expect(await suite.kit.db.note.count()).toBe(before);
    });

    it("refuses an update that moves a note to another owner, and leaves it where it was", async () => {
      const response = await call(suite.routes.updateNote, {
        method: "PATCH",
        body: { title: "moved", ownerId: world.userB.id },
        jar: as("userA"),
        params: { id: world.noteA },
        url: `${BASE}/${world.noteA}`,
      });
      expect(response.status).toBe(400);
      expect(await notesOf(world.userA.id)).toMatchObject([{ id: world.noteA, title: "A's note" }]);
    });

    it.each([
      ["an empty title", { title: "   " }],
      ["a 201-character title", { title: "x".repeat(201) }],
      ["a 10,001-character body", { title: "ok", body: "x".repeat(10_001) }],
      ["a numeric title", { title: 42 }],
      ["a title given as an array", { title: ["a"] }],
      ["no title", { body: "only a body" }],
    ])("refuses %s", async (_what, body) => {
      expect((await call(suite.routes.createNote, { body, jar: as("userA"), url: BASE })).status).toBe(400);
    });

    it("accepts the limits exactly: a 200-character title and a 10,000-character body", async () => {
      const response = await call(suite.routes.createNote, { body: { title: "t".repeat(200), body: "b".repeat(10_000) }, jar: as("userA"), url: BASE });
      expect(response.status).toBe(201);
    });

    it("refuses an update with nothing to change", async () => {
      const response = await call(suite.routes.updateNote, {
        method: "PATCH",
        body: {},
        jar: as("userA"),
        params: { id: world.noteA },
        url: `${BASE}/${world.noteA}`,
      });
      expect(response.status).toBe(400);
    });

    it("refuses a malformed note id before any query runs", async () => {
      for (const id of ["../admin", "' OR 1=1 --", "A".repeat(25), ""]) {
        const response = await call(suite.routes.readNote, { jar: as("userA"), params: { id }, url: `${BASE}/x` });
        expect(response.status, id).toBe(400);
      }
    });
  });

  describe("paged lists", () => {
    beforeEach(async () => {
      const base = Date.parse("2026-01-01T00:00:00Z");
      for (const [i, title] of ["delta", "alpha", "echo", "charlie", "bravo"].entries()) {
        await suite.kit.db.note.create({ data: { ownerId: world.userA.id, title, createdAt: new Date(base + i * 1000) } });
      }
    });

    async function list(query: string) {
      return call(suite.routes.listNotes, { jar: as("userA"), url: `${BASE}${query}` });
    }

    it("pages with page and limit, newest first by default", async () => {
      const page = NoteList.parse(await (await list("?page=2&limit=2")).json());
      expect(page).toMatchObject({ page: 2, limit: 2, total: 6 });
      // Newest first: A's note (made with the world, now), then bravo, charlie, echo, alpha, delta.
      expect(page.items.map((note) => note.title)).toEqual(["charlie", "echo"]);
      const first = NoteList.parse(await (await list("")).json());
      expect(first).toMatchObject({ page: 1, limit: 20 });
    });

    it("sorts by an allowed column in either order", async () => {
      const byTitle = NoteList.parse(await (await list("?sort=title")).json());
      expect(byTitle.items.map((note) => note.title)).toEqual(["A's note", "alpha", "bravo", "charlie", "delta", "echo"]);
      const reversed = NoteList.parse(await (await list("?sort=title&order=desc")).json());
      expect(reversed.items.map((note) => note.title)[0]).toBe("echo");
    });

    it.each([
      ["limit=1e2"],
      ["limit=10.5"],
      ["limit=0x10"],
      ["page=0x10"],
      ["limit=+5"],
      ["limit=%205"],
      ["limit=05"],
      ["limit=-1"],
      ["limit=0"],
      ["limit=101"],
      ["limit="],
      ["limit=ten"],
      ["page=0"],
      ["page=1000001"],
      ["limit[]=1"],
      ["limit[0]=1"],
      ["sort=ownerId"],
      ["sort=createdAt"],
      ['sort=title;DROP TABLE "Note"'],
      ["order=sideways"],
      ["ownerId=someone"],
      ["__proto__[limit]=1"],
    ])("refuses ?%s (type juggling, unknown keys, unbounded reads)", async (query) => {
      const response = await list(`?${query}`);
      expect(response.status).toBe(400);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
    });

    it("refuses a repeated query key instead of picking one (parameter pollution)", async () => {
      const response = await list("?limit=10&limit=1000");
      expect(response.status).toBe(400);
      expect((await response.json()).errors).toEqual({ limit: ["Give this parameter once."] });
    });
  });
});
