import { describe, expect, it } from "vitest";
import { createLogger } from "./log";

describe("createLogger", () => {
  it("writes one JSON object per line and drops levels below the threshold", () => {
    const lines: string[] = [];
    const log = createLogger({ level: "info", write: (line) => lines.push(line), now: () => new Date(0) });
    log.debug("hidden");
    log.info("delivered", { id: "m-1", attempt: 2, meta: { agent: "ceo" }, absent: undefined });
    log.warn("reserved keys cannot be overwritten", { level: "debug", msg: "forged", ts: "never" });
    expect(lines).toEqual([
      '{"id":"m-1","attempt":2,"meta":{"agent":"ceo"},"ts":"1970-01-01T00:00:00.000Z","level":"info","msg":"delivered"}\n',
      '{"level":"warn","msg":"reserved keys cannot be overwritten","ts":"1970-01-01T00:00:00.000Z"}\n',
    ]);
  });
});
