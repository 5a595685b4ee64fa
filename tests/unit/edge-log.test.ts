import { describe, expect, it } from "vitest";
import { edgeLogger, type EdgeLogLevel } from "@/lib/edge/log";

function collect(level = "debug") {
  const lines: { level: EdgeLogLevel; line: string }[] = [];
  const log = edgeLogger("trace-log-00000001", { level, sink: (l, line) => lines.push({ level: l, line }), now: () => new Date(0) });
  return { log, lines };
}

describe("edge log lines", () => {
  it("are one JSON object per line, in the Node logger's shape, with the request ID", () => {
    const { log, lines } = collect();
    log.warn("rate-limit store unavailable", { tier: "global" });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!.line)).toEqual({
      tier: "global",
      level: 40,
      time: "1970-01-01T00:00:00.000Z",
      requestId: "trace-log-00000001",
      layer: "edge",
      msg: "rate-limit store unavailable",
    });
  });

  it("cannot be forged into a second line by a field value", () => {
    const { log, lines } = collect();
    log.info("refused", { path: '/x\n{"level":60,"msg":"forged"}' });
    expect(lines[0]!.line).not.toContain("\n");
  });

  it("do not let a field overwrite the level, time or request ID", () => {
    const { log, lines } = collect();
    log.info("refused", { level: 60, requestId: "someone-else", msg: "other" });
    expect(JSON.parse(lines[0]!.line)).toMatchObject({ level: 30, requestId: "trace-log-00000001", msg: "refused" });
  });

  it("respect LOG_LEVEL, and silent writes nothing", () => {
    const warnOnly = collect("warn");
    warnOnly.log.info("hidden");
    warnOnly.log.error("shown");
    expect(warnOnly.lines.map((l) => l.level)).toEqual(["error"]);
    const silent = collect("silent");
    silent.log.error("hidden");
    expect(silent.lines).toEqual([]);
  });
});
