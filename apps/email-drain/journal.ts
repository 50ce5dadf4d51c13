/**
 * The delivery journal: an append-only file recording, per idempotency id, where its delivery stands.
 *
 *   sending   written (and fsync'd) before sendmail starts
 *   sent      written (and fsync'd) after sendmail exits 0, before the queue ack
 *   not-sent  written after a failed sendmail run (the message will be retried)
 *
 * A redelivered id whose last record is `sent` is acked without sending again. One whose last record is
 * `sending` was being handed to sendmail when the drain died: it may or may not have gone out, so the drain
 * dead-letters it instead of risking a duplicate (see drain.ts).
 *
 * Format: one line per record, `<state> <epoch-ms> <id> <crc32-hex>\n`. A line whose checksum does not match
 * (a torn last write after a crash, or a damaged block) is discarded on open. Growth is bounded by compaction:
 * on open, and whenever the file doubles past its last compacted size, only the newest record of each id
 * younger than the retention period is rewritten to a temporary file that atomically replaces the journal.
 *
 * Single writer: one drain process owns a journal, and calls are awaited one at a time.
 */
import { mkdir, open, readFile, rename, type FileHandle } from "node:fs/promises";
import { dirname } from "node:path";
import { crc32 } from "node:zlib";
import { ENVELOPE_ID_PATTERN } from "../email-envelope/validateEnvelope";

export type DeliveryState = "sending" | "sent" | "not-sent";

export interface JournalOptions {
  /** Records older than this are dropped at compaction. */
  retentionMs: number;
  /** Compact once the file is larger than this (and at least twice its size after the last compaction). */
  compactAtBytes?: number;
  now?: () => number;
}

export interface JournalOpenReport {
  /** Ids with a live record after opening. */
  entries: number;
  /** Complete lines that failed to parse or whose checksum did not match. */
  discardedLines: number;
  /** The file ended in a partial line (a write cut short by a crash). */
  tornTail: boolean;
}

/** The journal could not be opened or written: the drain must stop rather than risk sending twice. */
export class JournalError extends Error {
  constructor(message: string, options?: { cause: unknown }) {
    super(message, options);
    this.name = "JournalError";
  }
}

interface Entry {
  state: DeliveryState;
  atMs: number;
}

const LINE = /^(sending|sent|not-sent) (\d{1,15}) (\S+) ([0-9a-f]{8})$/;
const DEFAULT_COMPACT_AT_BYTES = 4 * 1024 * 1024;

export class DeliveryJournal {
  private compactThreshold: number;

  private constructor(
    private readonly path: string,
    private handle: FileHandle,
    private readonly entries: Map<string, Entry>,
    private size: number,
    private readonly options: Required<JournalOptions>,
  ) {
    this.compactThreshold = Math.max(options.compactAtBytes, 2 * size);
  }

  static async open(path: string, options: JournalOptions): Promise<{ journal: DeliveryJournal; report: JournalOpenReport }> {
    try {
      return await DeliveryJournal.openOrThrow(path, options);
    } catch (error) {
      throw new JournalError(`cannot open the journal at ${path}: ${describe(error)}`, { cause: error });
    }
  }

  private static async openOrThrow(
    path: string,
    options: JournalOptions,
  ): Promise<{ journal: DeliveryJournal; report: JournalOpenReport }> {
    const settings: Required<JournalOptions> = {
      compactAtBytes: DEFAULT_COMPACT_AT_BYTES,
      now: Date.now,
      ...options,
    };
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const text = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return "";
      throw error;
    });
    const lines = text.split("\n");
    const tail = lines.pop() ?? "";
    const entries = new Map<string, Entry>();
    let discardedLines = 0;
    for (const line of lines) {
      const record = parseLine(line);
      if (record === undefined) discardedLines += 1;
      else entries.set(record.id, { state: record.state, atMs: record.atMs });
    }
    const journal = new DeliveryJournal(path, await open(path, "a", 0o600), entries, Buffer.byteLength(text), settings);
    // Rewriting drops torn and damaged lines, superseded records and expired ones in one atomic step.
    await journal.compact();
    return { journal, report: { entries: entries.size, discardedLines, tornTail: tail !== "" } };
  }

  stateOf(id: string): DeliveryState | undefined {
    return this.entries.get(id)?.state;
  }

  /** Appends a record and fsyncs it; when this resolves the record survives a crash or power loss. */
  async record(id: string, state: DeliveryState): Promise<void> {
    if (!ENVELOPE_ID_PATTERN.test(id)) throw new JournalError("refusing an id outside the envelope id charset");
    const entry = { state, atMs: this.options.now() };
    const line = formatLine(id, entry);
    try {
      await this.handle.write(line);
      await this.handle.datasync();
      this.entries.set(id, entry);
      this.size += Buffer.byteLength(line);
      if (this.size > this.compactThreshold) await this.compact();
    } catch (error) {
      throw new JournalError(`cannot write the journal at ${this.path}: ${describe(error)}`, { cause: error });
    }
  }

  get sizeBytes(): number {
    return this.size;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }

  private async compact(): Promise<void> {
    const oldest = this.options.now() - this.options.retentionMs;
    for (const [id, entry] of this.entries) if (entry.atMs < oldest) this.entries.delete(id);
    const text = [...this.entries].map(([id, entry]) => formatLine(id, entry)).join("");
    const temporary = `${this.path}.compact`;
    const output = await open(temporary, "w", 0o600);
    try {
      await output.write(text);
      await output.datasync();
    } finally {
      await output.close();
    }
    await this.handle.close();
    await rename(temporary, this.path);
    // The rename itself is only durable once the directory is synced.
    const directory = await open(dirname(this.path), "r");
    try {
      await directory.sync();
    } finally {
      await directory.close();
    }
    this.handle = await open(this.path, "a", 0o600);
    this.size = Buffer.byteLength(text);
    this.compactThreshold = Math.max(this.options.compactAtBytes, 2 * this.size);
  }
}

function describe(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
}

function checksum(body: string): string {
  return crc32(body).toString(16).padStart(8, "0");
}

function formatLine(id: string, entry: Entry): string {
  const body = `${entry.state} ${entry.atMs} ${id}`;
  return `${body} ${checksum(body)}\n`;
}

function parseLine(line: string): ({ id: string } & Entry) | undefined {
  const match = LINE.exec(line);
  if (!match || checksum(line.slice(0, line.lastIndexOf(" "))) !== match[4]) return undefined;
  // The pattern guarantees all three groups.
  return { state: match[1] as DeliveryState, atMs: Number(match[2]), id: match[3] as string };
}
