/**
 * What every test through the real Postfix shares: the guard (skipped loudly on a dev machine without
 * Postfix or root, FAILING under CI=true) and reading what the private instance delivered.
 * CI setup (as root, before the tests):
 *   echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
 *   DEBIAN_FRONTEND=noninteractive apt-get install -y postfix
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseMessage, type ParsedMessage } from "./mime";
import { postfixUnavailableReason, type PostfixInstance } from "./postfixInstance";

/** `describe` for a suite that needs the real Postfix; `body` runs only when it is available. */
export function describeWithPostfix(title: string, body: () => void): void {
  const unavailable = postfixUnavailableReason();
  if (unavailable !== undefined && process.env.CI !== "true") {
    console.warn(
      `\n!!! SKIPPED: ${title}: ${unavailable}.\n` +
        '!!! Install it with: echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections' +
        " && DEBIAN_FRONTEND=noninteractive apt-get install -y postfix\n",
    );
  }
  describe(title, () => {
    if (unavailable === undefined) {
      body();
    } else if (process.env.CI === "true") {
      it("has Postfix to deliver through (CI must install the postfix package)", () => {
        expect.fail(`real-MTA test cannot run: ${unavailable}`);
      });
    } else {
      it.skip(`SKIPPED LOUDLY: ${unavailable}`, () => undefined);
    }
  });
}

/** The delivered messages once `count` have arrived (or after `timeoutMs`, with what there is). */
export async function waitForMail(postfix: PostfixInstance, count: number, timeoutMs = 30_000): Promise<ParsedMessage[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const names = await readdir(postfix.newMailDirectory).catch(() => []);
    if (names.length >= count || Date.now() > deadline) {
      return Promise.all(names.map(async (name) => parseMessage(await readFile(join(postfix.newMailDirectory, name), "utf8"))));
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Waits until Postfix's queue is empty, so that nothing still in flight can arrive after the count. */
export async function waitForEmptyQueue(postfix: PostfixInstance, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await postfix.queuedCount()) === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error("Postfix's queue did not empty in time");
}
