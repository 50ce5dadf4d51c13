import { describe, expect, it } from "vitest";
import { isoWeekOf } from "./isoWeek";

describe("isoWeekOf", () => {
  it.each([
    ["2026-07-06T08:00:00Z", "2026-W28"], // the Monday 08:00 cron
    ["2026-07-05T23:59:59Z", "2026-W27"], // Sunday closes the previous week
    ["2026-01-01T00:00:00Z", "2026-W01"], // a Thursday: week 1 of its own year
    ["2021-01-03T12:00:00Z", "2020-W53"], // early January in the last week of the year before
    ["2024-12-30T00:00:00Z", "2025-W01"], // late December in week 1 of the next year
    ["2020-12-31T00:00:00Z", "2020-W53"],
  ])("%s is in %s", (instant, week) => {
    expect(isoWeekOf(new Date(instant))).toBe(week);
  });
});
