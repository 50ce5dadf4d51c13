/**
 * Child process for the journal crash test: records `sent` for ids `<prefix>-0`, `<prefix>-1`, … and prints
 * `ok <id>` once each record() has resolved, until it is killed.
 * Usage: node --import tsx journalWriter.ts <journal-path> <prefix>
 */
import { DeliveryJournal } from "../journal";

async function main(): Promise<void> {
  const [path, prefix] = process.argv.slice(2);
  if (path === undefined || prefix === undefined) throw new Error("usage: journalWriter <path> <prefix>");
  const { journal } = await DeliveryJournal.open(path, { retentionMs: 60_000, compactAtBytes: 2_048 });
  for (let index = 0; ; index += 1) {
    await journal.record(`${prefix}-${index}`, "sending");
    await journal.record(`${prefix}-${index}`, "sent");
    process.stdout.write(`ok ${prefix}-${index}\n`);
  }
}

void main();
