import { describe, expect, it } from "vitest";
import { isAppError } from "@/lib/http/errors";
import { isFormContentType, readForm } from "@/lib/http/read-form";

const FORM = "application/x-www-form-urlencoded";

function formRequest(body: BodyInit, headers: Record<string, string> = { "content-type": FORM }): Request {
  return new Request("http://localhost/api/oauth/token", {
    method: "POST",
    body,
    headers,
    ...(body instanceof ReadableStream ? { duplex: "half" } : {}),
  } as RequestInit);
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "ok";
  } catch (error) {
    if (isAppError(error)) return error.code;
    throw error;
  }
}

describe("readForm", () => {
  it("reads url-encoded fields, decoding + and percent escapes", async () => {
    const form = await readForm(formRequest("grant_type=client_credentials&scope=reports%3Aread+other"));
    expect([...form]).toEqual([
      ["grant_type", "client_credentials"],
      ["scope", "reports:read other"],
    ]);
  });

  it("refuses a repeated field instead of choosing one (parameter pollution)", async () => {
    expect(await codeOf(readForm(formRequest("grant_type=client_credentials&grant_type=password")))).toBe("ERR_VALIDATION");
  });

  it.each(["__proto__=x", "constructor=x", "prototype=x", "a=1&__proto__=%7B%7D"])("refuses the prototype-polluting name in %s", async (body) => {
    expect(await codeOf(readForm(formRequest(body)))).toBe("ERR_FORBIDDEN_KEY");
  });

  it("returns a Map, so no field name can reach Object.prototype", async () => {
    const form = await readForm(formRequest("toString=x&hasOwnProperty=y"));
    expect(form).toBeInstanceOf(Map);
    expect(form.get("toString")).toBe("x");
    expect(({} as Record<string, unknown>).toString).toBe(Object.prototype.toString);
  });

  it.each([
    ["application/json", "415"],
    ["text/plain", "415"],
    ["multipart/form-data; boundary=x", "415"],
    [`${FORM}; charset=latin1`, "415"],
  ])("refuses content type %s", async (type) => {
    expect(await codeOf(readForm(formRequest("a=b", { "content-type": type })))).toBe("ERR_UNSUPPORTED_MEDIA_TYPE");
  });

  it("accepts the form type with charset=utf-8, in any case", () => {
    expect(isFormContentType(`${FORM}; charset=UTF-8`)).toBe(true);
    expect(isFormContentType("Application/X-WWW-Form-Urlencoded")).toBe(true);
    expect(isFormContentType(null)).toBe(false);
  });

  it("refuses a declared length over the limit before reading, and a streamed body that grows past it", async () => {
    expect(await codeOf(readForm(formRequest("a=b", { "content-type": FORM, "content-length": "99999" }), 1024))).toBe("ERR_BODY_TOO_LARGE");
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new TextEncoder().encode("a".repeat(512)));
      },
    });
    expect(await codeOf(readForm(formRequest(endless), 1024))).toBe("ERR_BODY_TOO_LARGE");
    expect(pulled).toBeLessThan(10);
  });

  it("refuses a malformed Content-Length and invalid UTF-8", async () => {
    expect(await codeOf(readForm(formRequest("a=b", { "content-type": FORM, "content-length": "1e3" })))).toBe("ERR_VALIDATION");
    expect(await codeOf(readForm(formRequest(new Uint8Array([0x61, 0x3d, 0xff, 0xfe]))))).toBe("ERR_VALIDATION");
  });

  it("reads an empty body as no fields", async () => {
    expect((await readForm(formRequest(""))).size).toBe(0);
  });
});
