/**
 * Client of Cloudflare Queues' HTTP pull-consumer API, over Node's global fetch (no dependencies).
 *
 * Request and response shapes, as documented by Cloudflare (developers.cloudflare.com/queues/configuration/
 * pull-consumers, and the Stainless-generated `cloudflare` SDK's resources/queues/messages.ts):
 *   POST /client/v4/accounts/{account_id}/queues/{queue_id}/messages/pull
 *        {"batch_size": 1..100 (default 5), "visibility_timeout_ms": ≤ 12 h (default 30 s)}
 *     → {"success": true, "errors": [], "result": {"message_backlog_count": n, "messages": [
 *          {"id", "body", "timestamp_ms", "attempts", "lease_id", "metadata": {"CF-Content-Type": "json"|"text"|…}}]}}
 *   POST …/messages/ack  {"acks": [{"lease_id"}], "retries": [{"lease_id", "delay_seconds"}]}
 *     → {"success": true, "result": {"ackCount", "retryCount", "warnings"}}
 *   POST …/queues/{queue_id}/messages  {"body": …, "content_type": "json"|"text", "delay_seconds"?}
 * A pulled body is base64 for the `json` and `bytes` content types and plain UTF-8 for `text`; `v8` cannot be
 * decoded outside Workers. Acks after the visibility timeout are still accepted ("Queues aims to be permissive").
 */
import type { ParseResult } from "../email-envelope/address";

export interface PulledMessage {
  /** The queue's id for this message (ephemeral; for logs and the dead-letter record). */
  id: string;
  leaseId: string;
  /** Deliveries so far, this one included (1 on first delivery). */
  attempts: number;
  timestampMs: number;
  /** The body as it came over the wire (see decodeMessageBody). */
  body: string;
  /** `metadata["CF-Content-Type"]`, when present. */
  contentType: string | undefined;
}

export interface PullResult {
  messages: PulledMessage[];
  /** Items without the fields needed to process or ack them; their leases simply expire. */
  unusable: number;
}

export interface Settlement {
  acks: string[];
  retries: Array<{ leaseId: string; delaySeconds: number }>;
}

/** What the drain needs from a queue; CloudflareQueuesClient is the implementation. */
export interface QueueApi {
  pull(request: { batchSize: number; visibilityTimeoutMs: number }): Promise<PullResult>;
  settle(settlement: Settlement): Promise<void>;
  sendToDeadLetterQueue(body: unknown): Promise<void>;
}

export type QueueApiErrorKind = "auth" | "not-found" | "rate-limited" | "server" | "client" | "network" | "timeout" | "protocol";

export class QueueApiError extends Error {
  constructor(
    readonly kind: QueueApiErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = "QueueApiError";
  }

  /** Failures no retry can fix (bad token, wrong account or queue id): the process should stop with EX_CONFIG. */
  get isConfigurationProblem(): boolean {
    return this.kind === "auth" || this.kind === "not-found";
  }
}

export interface CloudflareQueuesClientOptions {
  baseUrl: string;
  accountId: string;
  queueId: string;
  deadLetterQueueId: string;
  apiToken: string;
  timeoutMs: number;
}

export class CloudflareQueuesClient implements QueueApi {
  constructor(private readonly options: CloudflareQueuesClientOptions) {}

  async pull(request: { batchSize: number; visibilityTimeoutMs: number }): Promise<PullResult> {
    const result = await this.post(`${this.options.queueId}/messages/pull`, {
      batch_size: request.batchSize,
      visibility_timeout_ms: request.visibilityTimeoutMs,
    });
    const items = isRecord(result) ? result.messages : undefined;
    if (!Array.isArray(items)) throw new QueueApiError("protocol", "pull: result.messages is not an array");
    const messages: PulledMessage[] = [];
    for (const item of items) {
      const message = toPulledMessage(item);
      if (message) messages.push(message);
    }
    return { messages, unusable: items.length - messages.length };
  }

  async settle(settlement: Settlement): Promise<void> {
    if (settlement.acks.length === 0 && settlement.retries.length === 0) return;
    await this.post(`${this.options.queueId}/messages/ack`, {
      acks: settlement.acks.map((leaseId) => ({ lease_id: leaseId })),
      retries: settlement.retries.map((retry) => ({ lease_id: retry.leaseId, delay_seconds: retry.delaySeconds })),
    });
  }

  /** `json` content type, so the dead-letter queue's Worker consumer receives the object itself. */
  async sendToDeadLetterQueue(body: unknown): Promise<void> {
    await this.post(`${this.options.deadLetterQueueId}/messages`, { body, content_type: "json" });
  }

  private async post(path: string, body: unknown): Promise<unknown> {
    const url = `${this.options.baseUrl}/client/v4/accounts/${this.options.accountId}/queues/${path}`;
    const operation = path.slice(path.lastIndexOf("/") + 1);
    let status: number;
    let text: string;
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { authorization: `Bearer ${this.options.apiToken}`, "content-type": "application/json" },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      status = response.status;
      text = await response.text();
    } catch (error) {
      const timedOut = error instanceof Error && error.name === "TimeoutError";
      throw new QueueApiError(
        timedOut ? "timeout" : "network",
        timedOut ? `${operation}: no answer within ${this.options.timeoutMs} ms` : `${operation}: ${describeNetworkError(error)}`,
      );
    }
    const parsed = parseJson(text);
    if (status < 200 || status > 299) {
      throw new QueueApiError(kindOfStatus(status), `${operation}: HTTP ${status}${describeApiErrors(parsed)}`, status);
    }
    if (!isRecord(parsed) || parsed.success !== true) {
      throw new QueueApiError("protocol", `${operation}: unsuccessful response${describeApiErrors(parsed)}`, status);
    }
    return parsed.result;
  }
}

/** Decodes a pulled body to the envelope's JSON text according to its content type. */
export function decodeMessageBody(message: Pick<PulledMessage, "body" | "contentType">): ParseResult<string> {
  switch (message.contentType) {
    case "text":
      return { ok: true, value: message.body };
    case "v8":
      return { ok: false, reason: "content type v8 cannot be decoded outside Workers (send json or text)" };
    case "json":
    case "bytes":
    case undefined: {
      // Documented as base64. A body that is not base64 (JSON text starts with "{", which base64 never
      // contains) is taken as plain text: Cloudflare's own example shows plain bodies under "json".
      if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(message.body)) {
        return { ok: true, value: message.body };
      }
      try {
        return { ok: true, value: new TextDecoder("utf-8", { fatal: true }).decode(Buffer.from(message.body, "base64")) };
      } catch {
        return { ok: false, reason: "base64 body is not UTF-8" };
      }
    }
    default:
      return { ok: false, reason: "unknown content type" };
  }
}

function toPulledMessage(item: unknown): PulledMessage | undefined {
  if (!isRecord(item)) return undefined;
  const { id, lease_id: leaseId, body, attempts, timestamp_ms: timestampMs, metadata } = item;
  if (typeof id !== "string" || typeof leaseId !== "string" || leaseId === "" || typeof body !== "string") {
    return undefined;
  }
  const contentType = isRecord(metadata) ? metadata["CF-Content-Type"] : undefined;
  return {
    id,
    leaseId,
    body,
    attempts: typeof attempts === "number" && Number.isInteger(attempts) && attempts >= 1 ? attempts : 1,
    timestampMs: typeof timestampMs === "number" ? timestampMs : 0,
    contentType: typeof contentType === "string" ? contentType : undefined,
  };
}

function kindOfStatus(status: number): QueueApiErrorKind {
  if (status === 401 || status === 403) return "auth";
  if (status === 404) return "not-found";
  if (status === 429) return "rate-limited";
  return status >= 500 ? "server" : "client";
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** `[10000] Authentication error` from Cloudflare's `errors` array, bounded. */
function describeApiErrors(parsed: unknown): string {
  if (!isRecord(parsed) || !Array.isArray(parsed.errors) || parsed.errors.length === 0) return "";
  const described = parsed.errors
    .slice(0, 3)
    .map((error) => (isRecord(error) ? `[${String(error.code)}] ${String(error.message)}` : String(error)))
    .join("; ");
  return `: ${described.slice(0, 300)}`;
}

function describeNetworkError(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  return code ?? (cause instanceof Error ? cause.message : "request failed");
}
