import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/http/errors";
import { isJsonContentType, jsonShape, nestingDepth, readJson } from "@/lib/http/read-json";

function jsonRequest(body: BodyInit | null, headers: Record<string, string> = { "content-type": "application/json" }) {
  return new Request("http://localhost/api/test", { method: "POST", body, headers, duplex: "half" } as RequestInit);
}

/** A body with no Content-Length, delivered in chunks, as a chunked upload would be. */
function chunkedBody(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let pulled = 0;
  return new ReadableStream({
    pull(controller) {
      const next = chunks[pulled++];
      if (next === undefined) controller.close();
      else controller.enqueue(encoder.encode(next));
    },
  });
}

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected readJson to reject");
}

describe("readJson", () => {
  it("parses a well-formed JSON object", async () => {
    await expect(readJson(jsonRequest('{"title":"a","tags":[1,2]}'))).resolves.toEqual({ title: "a", tags: [1, 2] });
  });

  it("accepts application/json with a utf-8 charset", async () => {
    const request = jsonRequest('{"a":1}', { "content-type": "application/json; charset=UTF-8" });
    await expect(readJson(request)).resolves.toEqual({ a: 1 });
  });

  it.each([
    ["text/plain (a CSRF form smuggling JSON)", "text/plain"],
    ["a form encoding", "application/x-www-form-urlencoded"],
    ["multipart", "multipart/form-data; boundary=x"],
    ["a JSON look-alike", "application/jsonp"],
    ["another charset", "application/json; charset=utf-16"],
  ])("refuses %s with 415", async (_name, contentType) => {
    const error = await rejection(readJson(jsonRequest('{"a":1}', { "content-type": contentType })));
    expect(error.code).toBe("ERR_UNSUPPORTED_MEDIA_TYPE");
    expect(error.status).toBe(415);
  });

  it("refuses a body with no content type with 415", async () => {
    const error = await rejection(readJson(jsonRequest('{"a":1}', {})));
    expect(error.status).toBe(415);
  });

  it("refuses a declared Content-Length over the limit before reading a byte", async () => {
    let pulled = false;
    const body = new ReadableStream(
      {
        pull() {
          pulled = true;
        },
      },
      { highWaterMark: 0 },
    );
    const request = jsonRequest(body, { "content-type": "application/json", "content-length": "1000" });
    const error = await rejection(readJson(request, { limitBytes: 100 }));
    expect(error.status).toBe(413);
    expect(pulled).toBe(false);
  });

  it("stops reading a chunked body as soon as it passes the limit (413)", async () => {
    const chunks = Array.from({ length: 100 }, () => `"${"x".repeat(98)}",`);
    let delivered = 0;
    const source = chunkedBody(["[", ...chunks, '""]']);
    const counting = source.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          delivered++;
          controller.enqueue(chunk);
        },
      }),
    );
    const error = await rejection(readJson(jsonRequest(counting), { limitBytes: 1000 }));
    expect(error.code).toBe("ERR_BODY_TOO_LARGE");
    expect(delivered).toBeLessThan(20);
  });

  it("accepts a chunked body exactly at the limit", async () => {
    const body = `{"a":"${"x".repeat(92)}"}`;
    expect(new TextEncoder().encode(body).byteLength).toBe(100);
    await expect(readJson(jsonRequest(chunkedBody([body.slice(0, 50), body.slice(50)])), { limitBytes: 100 })).resolves.toEqual({
      a: "x".repeat(92),
    });
  });

  it.each([
    ["truncated", '{"a":'],
    ["trailing comma", '{"a":1,}'],
    ["single quotes", "{'a':1}"],
    ["a bare word", "undefined"],
    ["two documents", '{"a":1}{"b":2}'],
  ])("refuses malformed JSON (%s) with 400", async (_name, body) => {
    const error = await rejection(readJson(jsonRequest(body)));
    expect(error.code).toBe("ERR_MALFORMED_JSON");
    expect(error.status).toBe(400);
  });

  it("refuses an empty body with 400", async () => {
    expect((await rejection(readJson(jsonRequest("")))).status).toBe(400);
    expect((await rejection(readJson(jsonRequest(null)))).status).toBe(400);
  });

  it("refuses invalid UTF-8 instead of substituting replacement characters", async () => {
    const bytes = new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]);
    expect((await rejection(readJson(jsonRequest(bytes)))).code).toBe("ERR_MALFORMED_JSON");
  });

  it("refuses deeply nested JSON with 400 before parsing it", async () => {
    const deep = "[".repeat(100_000) + "]".repeat(100_000);
    const error = await rejection(readJson(jsonRequest(deep), { limitBytes: 1_000_000 }));
    expect(error.code).toBe("ERR_BODY_TOO_DEEP");
    expect(error.status).toBe(400);
  });

  it("accepts nesting up to the depth limit", async () => {
    const body = '{"a":'.repeat(31) + "1" + "}".repeat(31);
    await expect(readJson(jsonRequest(body))).resolves.toBeTypeOf("object");
  });

  it.each(["__proto__", "constructor", "prototype"])("refuses a %s key at any depth (prototype pollution)", async (key) => {
    const top = await rejection(readJson(jsonRequest(`{"${key}":{"isAdmin":true}}`)));
    expect(top.code).toBe("ERR_FORBIDDEN_KEY");
    const nested = await rejection(readJson(jsonRequest(`{"a":[{"b":{"${key}":{"isAdmin":true}}}]}`)));
    expect(nested.code).toBe("ERR_FORBIDDEN_KEY");
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });

  it("allows those words as values", async () => {
    await expect(readJson(jsonRequest('{"title":"__proto__ constructor prototype"}'))).resolves.toEqual({
      title: "__proto__ constructor prototype",
    });
  });
});

describe("isJsonContentType", () => {
  it("is false for a missing header", () => {
    expect(isJsonContentType(null)).toBe(false);
  });
});

describe("nestingDepth", () => {
  it("ignores brackets inside strings, including escaped quotes", () => {
    expect(nestingDepth('{"a":"[[[{{{\\"[[["}')).toBe(1);
    expect(nestingDepth("[[1],[[2]]]")).toBe(3);
  });
});

describe("a name repeated in one object (parser differential)", () => {
  it("is refused, so no reader can take a different copy than the validator did", async () => {
    const error = await rejection(readJson(jsonRequest('{"role":"user","title":"x","role":"admin"}')));
    expect(error.code).toBe("ERR_MALFORMED_JSON");
    expect(error.status).toBe(400);
  });

  it("is refused when spelled differently with escapes, since the parser sees the same name", async () => {
    expect(jsonShape('{"role":1,"r\\u006fle":2}').duplicateKey).toBe("role");
    expect((await rejection(readJson(jsonRequest('{"role":1,"r\\u006fle":2}')))).code).toBe("ERR_MALFORMED_JSON");
  });

  it("is refused at any depth, including inside arrays of objects", () => {
    expect(jsonShape('{"a":[{"b":1},{"c":1,"c":2}]}').duplicateKey).toBe("c");
    expect(jsonShape('{"a":{"b":{"d":1,"d":2}}}').duplicateKey).toBe("d");
  });

  it("allows the same name in sibling objects, as a value, and inside strings", async () => {
    expect(jsonShape('[{"a":1},{"a":2}]').duplicateKey).toBeNull();
    expect(jsonShape('{"a":{"a":1},"b":"a","c":["a","a"]}').duplicateKey).toBeNull();
    expect(jsonShape('{"a":"\\",\\"a\\":","b":1}').duplicateKey).toBeNull();
    await expect(readJson(jsonRequest('{"a":{"a":1},"b":["a","a"]}'))).resolves.toEqual({ a: { a: 1 }, b: ["a", "a"] });
  });
});
