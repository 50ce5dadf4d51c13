import { describe, expect, it } from "vitest";
import { PollBackoff, retryDelaySeconds } from "./backoff";

describe("retryDelaySeconds", () => {
  it.each([
    [1, 120],
    [2, 240],
    [3, 480],
    [6, 3_600],
    [1_000, 3_600],
    [0, 120],
  ])("attempt %i waits %i s (base 120 s, cap 1 h)", (attempts, expected) => {
    expect(retryDelaySeconds(attempts, 120, 3_600)).toBe(expected);
  });

  it("stays at zero with a zero base", () => {
    expect(retryDelaySeconds(5, 0, 3_600)).toBe(0);
  });
});

describe("PollBackoff", () => {
  it("doubles up to the cap and starts over after a reset", () => {
    const backoff = new PollBackoff(1_000, 5_000);
    expect([backoff.next(), backoff.next(), backoff.next(), backoff.next(), backoff.next()]).toEqual([1_000, 2_000, 4_000, 5_000, 5_000]);
    backoff.reset();
    expect(backoff.next()).toBe(1_000);
  });
});
