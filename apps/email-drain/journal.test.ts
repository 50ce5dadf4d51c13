import { spawn } from "node:child_process";
import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DeliveryJournal } from "./journal";

const DAY = 24 * 60 * 60 * 1000;
let directory: string;
let path: string;

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), "journal-"));
  path = join(directory, "state", "journal");
});

afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

async function reopen(options: { now?: () => number; retentionMs?: number } = {}) {
  return DeliveryJournal.open(path, { retentionMs: DAY, ...options });
}

describe("DeliveryJournal", () => {
  it("creates its directory and persists the latest state of each id across reopen", async () => {
    const { journal } = await reopen();
    await journal.record("a", "sending");
    await journal.record("a", "sent");
    await journal.record("b", "sending");
    await journal.record("b", "not-sent");
    await journal.record("c", "sending");
    await journal.close();

    const { journal: again, report } = await reopen();
    expect([again.stateOf("a"), again.stateOf("b"), again.stateOf("c"), again.stateOf("d")]).toEqual([
      "sent",
      "not-sent",
      "sending",
      undefined,
    ]);
    expect(report).toEqual({ entries: 3, discardedLines: 0, tornTail: false });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    await again.close();
  });

  it("tolerates a torn last line and appends cleanly after it", async () => {
    const { journal } = await reopen();
    await journal.record("kept", "sent");
    await journal.close();
    await appendFile(path, "sent 17000000000"); // a crash in the middle of a write

    const { journal: again, report } = await reopen();
    expect(report.tornTail).toBe(true);
    expect(again.stateOf("kept")).toBe("sent");
    await again.record("next", "sent");
    await again.close();

    const { journal: third, report: thirdReport } = await reopen();
    expect(thirdReport).toEqual({ entries: 2, discardedLines: 0, tornTail: false });
    expect(third.stateOf("next")).toBe("sent");
    await third.close();
  });

  it("discards a damaged line whose checksum does not match", async () => {
    const { journal } = await reopen();
    await journal.record("good", "sent");
    await journal.record("flipped", "sent");
    await journal.close();
    const text = await readFile(path, "utf8");
    await writeFile(path, text.replace("sent 1", "sending 1").replace(/flipped/, "flapped"));

    const { journal: again, report } = await reopen();
    expect(report.discardedLines).toBe(2);
    expect([again.stateOf("good"), again.stateOf("flipped"), again.stateOf("flapped")]).toEqual([undefined, undefined, undefined]);
    await again.close();
  });

  it("refuses ids that could break the line format", async () => {
    const { journal } = await reopen();
    await expect(journal.record("a b", "sent")).rejects.toThrow(/charset/);
    await expect(journal.record("a\nsent 1 b 00000000", "sent")).rejects.toThrow(/charset/);
    await journal.close();
  });

  it("drops records older than the retention period when it compacts", async () => {
    let now = 1_000 * DAY;
    const { journal } = await reopen({ now: () => now });
    await journal.record("old", "sent");
    now += 2 * DAY;
    await journal.record("recent", "sent");
    await journal.close();

    const { journal: again } = await reopen({ now: () => now + 1, retentionMs: DAY });
    expect([again.stateOf("old"), again.stateOf("recent")]).toEqual([undefined, "sent"]);
    await again.close();
  });

  it("stays bounded by compacting superseded records as it grows", async () => {
    const { journal } = await DeliveryJournal.open(path, { retentionMs: DAY, compactAtBytes: 4_096 });
    for (let index = 0; index < 2_000; index += 1) {
      await journal.record(`id-${index % 20}`, index % 2 === 0 ? "sending" : "sent");
    }
    expect(journal.sizeBytes).toBeLessThanOrEqual(4_096);
    expect((await stat(path)).size).toBe(journal.sizeBytes);
    expect(journal.stateOf("id-19")).toBe("sent");
    await journal.close();
  });

  it("keeps every acknowledged record when the writer is SIGKILLed mid-stream", async () => {
    const writer = join(__dirname, "testSupport", "journalWriter.ts");
    const acknowledged: string[] = [];
    for (let round = 0; round < 4; round += 1) {
      const child = spawn(process.execPath, ["--import", "tsx", writer, path, `r${round}`], {
        stdio: ["ignore", "pipe", "inherit"],
      });
      let buffered = "";
      await new Promise<void>((resolve) => {
        child.stdout.on("data", (chunk: Buffer) => {
          buffered += chunk.toString("utf8");
          const lines = buffered.split("\n");
          buffered = lines.pop() ?? "";
          for (const line of lines) acknowledged.push(line.replace(/^ok /, ""));
          // Kill mid-stream at a different depth each round, after a compaction or two.
          if (acknowledged.length >= (round + 1) * 120) child.kill("SIGKILL");
        });
        child.on("exit", () => resolve());
      });
    }
    const { journal, report } = await reopen();
    expect(report.discardedLines).toBe(0);
    const missing = acknowledged.filter((id) => journal.stateOf(id) !== "sent");
    expect(missing).toEqual([]);
    expect(acknowledged.length).toBeGreaterThanOrEqual(480);
    await journal.close();
  });
});
