/**
 * A test that logs an unexpected console.error fails: React warnings, unhandled library
 * errors and forgotten debug output are bugs, not noise.
 */
import { afterEach, beforeEach, expect, vi, type MockInstance } from "vitest";

let spy: MockInstance<typeof console.error>;

beforeEach(() => {
  spy = vi.spyOn(console, "error");
});

afterEach(() => {
  const calls = spy.mock.calls.map((args) => args.map(String).join(" "));
  spy.mockRestore();
  expect(calls, "unexpected console.error").toEqual([]);
});
