import { describe, expect, it } from "vitest";
import { formatCountdown, formatRelative } from "@/lib/client/format";

describe("formatting for people", () => {
  it("shows a countdown as m:ss, or h:mm:ss past an hour, never negative", () => {
    expect(formatCountdown(840)).toBe("14:00");
    expect(formatCountdown(59.2)).toBe("1:00");
    expect(formatCountdown(3723)).toBe("1:02:03");
    expect(formatCountdown(-5)).toBe("0:00");
  });

  it("describes recent times relatively", () => {
    const now = Date.parse("2026-01-01T12:00:00Z");
    expect(formatRelative("2026-01-01T11:59:50Z", now, "en")).toBe("just now");
    expect(formatRelative("2026-01-01T11:57:00Z", now, "en")).toBe("3 minutes ago");
    expect(formatRelative("2025-12-31T12:00:00Z", now, "en")).toBe("yesterday");
    expect(formatRelative("not a date", now, "en")).toBe("—");
  });
});
