/**
 * A fake of Cloudflare Queues' HTTP API on 127.0.0.1, with the semantics the drain relies on:
 *
 * - pull leases up to `batch_size` visible messages for `visibility_timeout_ms`, counting an attempt each time;
 * - ack deletes a message by any lease it was ever given (Cloudflare is permissive with late acks);
 * - retry releases a message under its current lease, visible again after `delay_seconds`;
 * - a lease that expires counts as a failed delivery;
 * - the dead-letter rule: a message that fails a delivery after its `maxAttempts`-th attempt (3, as the
 *   `email_outbox` consumer is configured) moves, body unchanged, to the queue's dead-letter queue;
 * - send (POST …/messages) enqueues a `json` or `text` body.
 *
 * Fault injection, drawn per request from a seeded PRNG: plain 5xx (nothing applied), 5xx after applying the
 * request (a lost response), hangs (no answer until the client gives up) and dropped connections.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { seededRandom } from "./random";

export interface FakeQueueConfig {
  id: string;
  maxAttempts?: number;
  deadLetterQueueId?: string;
}

export interface FaultRates {
  serverError: number;
  serverErrorAfterApplying: number;
  hang: number;
  drop: number;
}

export interface FakeQueuesApiOptions {
  accountId: string;
  apiToken: string;
  queues: FakeQueueConfig[];
  seed?: number;
  faults?: Partial<FaultRates>;
  /** Real milliseconds per `delay_seconds` second, so tests can exercise backoff quickly. */
  msPerDelaySecond?: number;
}

/** For `v8` the given string is taken as the (opaque, base64) wire body: no pull consumer can decode it. */
export type ContentType = "json" | "text" | "bytes" | "v8";
export type Operation = "pull" | "ack" | "send";

interface StoredMessage {
  id: string;
  sequence: number;
  wireBody: string;
  contentType: ContentType;
  timestampMs: number;
  attempts: number;
  visibleAt: number;
  lease?: { id: string; expiresAt: number };
}

interface FakeQueue {
  config: Required<Pick<FakeQueueConfig, "maxAttempts">> & FakeQueueConfig;
  messages: Map<string, StoredMessage>;
}

export interface FakeStats {
  requests: number;
  pulls: number;
  acked: number;
  retried: number;
  expiredLeases: number;
  deadLettered: number;
  injected: Record<keyof FaultRates, number>;
}

const PATH = /^\/client\/v4\/accounts\/([^/]+)\/queues\/([^/]+)\/messages(\/pull|\/ack)?$/;

export class FakeQueuesApi {
  readonly stats: FakeStats = {
    requests: 0,
    pulls: 0,
    acked: 0,
    retried: 0,
    expiredLeases: 0,
    deadLettered: 0,
    injected: { serverError: 0, serverErrorAfterApplying: 0, hang: 0, drop: 0 },
  };

  private readonly queues = new Map<string, FakeQueue>();
  /** Every lease ever issued → [queue id, message id]. */
  private readonly leases = new Map<string, [string, string]>();
  private readonly random: () => number;
  private faults: FaultRates;
  private faultyOperations: ReadonlySet<Operation> = new Set(["pull", "ack", "send"]);
  private sequence = 0;

  private constructor(
    private readonly server: Server,
    private readonly options: FakeQueuesApiOptions,
  ) {
    this.random = seededRandom(options.seed ?? 1);
    this.faults = { serverError: 0, serverErrorAfterApplying: 0, hang: 0, drop: 0, ...options.faults };
    for (const config of options.queues) {
      this.queues.set(config.id, { config: { maxAttempts: 3, ...config }, messages: new Map() });
    }
  }

  static async start(options: FakeQueuesApiOptions): Promise<FakeQueuesApi> {
    const server = createServer();
    const api = new FakeQueuesApi(server, options);
    server.on("request", (request, response) => api.handle(request, response));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return api;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Changes fault rates, and optionally which operations they apply to (all by default). */
  setFaults(faults: Partial<FaultRates>, operations?: readonly Operation[]): void {
    this.faults = { ...this.faults, ...faults };
    if (operations) this.faultyOperations = new Set(operations);
  }

  /** Enqueues as a producer would: an object as `json`, a string as `text` (or as the given type). */
  enqueue(queueId: string, value: unknown, contentType: ContentType = typeof value === "string" ? "text" : "json"): string {
    const queue = this.queue(queueId);
    const wireBody =
      contentType === "text" || contentType === "v8"
        ? String(value)
        : Buffer.from(contentType === "json" ? JSON.stringify(value) : String(value), "utf8").toString("base64");
    const id = `msg-${++this.sequence}`;
    queue.messages.set(id, {
      id,
      sequence: this.sequence,
      wireBody,
      contentType,
      timestampMs: Date.now(),
      attempts: 0,
      visibleAt: Date.now(),
    });
    return id;
  }

  /** Decoded bodies of the messages still in a queue, in enqueue order (e.g. the dead-letter queue). */
  bodies(queueId: string): unknown[] {
    this.sweep();
    return [...this.queue(queueId).messages.values()].sort((a, b) => a.sequence - b.sequence).map((message) => decodeWire(message));
  }

  /** Messages not yet acked or dead-lettered (visible, delayed or leased). */
  pending(queueId: string): number {
    this.sweep();
    return this.queue(queueId).messages.size;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private queue(queueId: string): FakeQueue {
    const queue = this.queues.get(queueId);
    if (!queue) throw new Error(`fake queues: unknown queue ${queueId}`);
    return queue;
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      this.stats.requests += 1;
      const operation = operationOf(request.url);
      const fault = operation && this.faultyOperations.has(operation) ? this.drawFault() : undefined;
      if (fault === "drop") {
        request.socket.destroy();
        return;
      }
      if (fault === "hang") return; // answered by nobody; stop() closes the connection
      if (fault === "serverError") {
        reply(response, 500, { success: false, errors: [{ code: 10001, message: "injected failure" }], result: null });
        return;
      }
      const [status, payload] = this.route(request, Buffer.concat(chunks).toString("utf8"));
      if (fault === "serverErrorAfterApplying") {
        reply(response, 502, { success: false, errors: [{ code: 10002, message: "injected lost response" }], result: null });
        return;
      }
      reply(response, status, payload);
    });
  }

  private drawFault(): keyof FaultRates | undefined {
    let draw = this.random();
    for (const kind of ["drop", "hang", "serverError", "serverErrorAfterApplying"] as const) {
      if (draw < this.faults[kind]) {
        this.stats.injected[kind] += 1;
        return kind;
      }
      draw -= this.faults[kind];
    }
    return undefined;
  }

  private route(request: IncomingMessage, text: string): [number, unknown] {
    const match = PATH.exec(request.url ?? "");
    if (request.headers.authorization !== `Bearer ${this.options.apiToken}`) {
      return [401, { success: false, errors: [{ code: 10000, message: "Authentication error" }], result: null }];
    }
    const queue = match && match[1] === this.options.accountId ? this.queues.get(match[2] ?? "") : undefined;
    if (request.method !== "POST" || !match || !queue) {
      return [404, { success: false, errors: [{ code: 7003, message: "Could not route" }], result: null }];
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return [400, { success: false, errors: [{ code: 10400, message: "invalid JSON" }], result: null }];
    }
    this.sweep();
    switch (match[3]) {
      case "/pull":
        return this.pull(queue, body);
      case "/ack":
        return this.ack(queue, body);
      default:
        return this.send(queue, body);
    }
  }

  private pull(queue: FakeQueue, body: Record<string, unknown>): [number, unknown] {
    const batchSize = typeof body.batch_size === "number" ? body.batch_size : 5;
    const visibilityMs = typeof body.visibility_timeout_ms === "number" ? body.visibility_timeout_ms : 30_000;
    if (batchSize < 1 || batchSize > 100) return [400, { success: false, errors: [{ code: 11001, message: "batch_size" }] }];
    this.stats.pulls += 1;
    const now = Date.now();
    const available = [...queue.messages.values()]
      .filter((message) => !message.lease && message.visibleAt <= now)
      .sort((a, b) => a.sequence - b.sequence)
      .slice(0, batchSize);
    const messages = available.map((message) => {
      message.attempts += 1;
      message.lease = { id: `lease-${message.id}-${message.attempts}-${Math.floor(this.random() * 1e9)}`, expiresAt: now + visibilityMs };
      this.leases.set(message.lease.id, [queue.config.id, message.id]);
      return {
        body: message.wireBody,
        id: message.id,
        timestamp_ms: message.timestampMs,
        attempts: message.attempts,
        metadata: { "CF-sourceMessageSource": "api", "CF-Content-Type": message.contentType },
        lease_id: message.lease.id,
      };
    });
    const backlog = queue.messages.size - messages.length;
    return [200, { success: true, errors: [], messages: [], result: { message_backlog_count: backlog, messages } }];
  }

  private ack(queue: FakeQueue, body: Record<string, unknown>): [number, unknown] {
    const acks = Array.isArray(body.acks) ? (body.acks as Array<{ lease_id?: unknown }>) : [];
    const retries = Array.isArray(body.retries) ? (body.retries as Array<{ lease_id?: unknown; delay_seconds?: unknown }>) : [];
    let ackCount = 0;
    let retryCount = 0;
    for (const ack of acks) {
      const message = this.messageByLease(queue, ack.lease_id);
      if (message) {
        queue.messages.delete(message.id);
        ackCount += 1;
      }
    }
    for (const retry of retries) {
      const message = this.messageByLease(queue, retry.lease_id);
      if (message && message.lease?.id === retry.lease_id) {
        const delaySeconds = typeof retry.delay_seconds === "number" ? retry.delay_seconds : 0;
        this.failDelivery(queue, message, Date.now() + delaySeconds * (this.options.msPerDelaySecond ?? 1_000));
        retryCount += 1;
      }
    }
    this.stats.acked += ackCount;
    this.stats.retried += retryCount;
    return [200, { success: true, errors: [], messages: [], result: { ackCount, retryCount, warnings: [] } }];
  }

  private send(queue: FakeQueue, body: Record<string, unknown>): [number, unknown] {
    const contentType = body.content_type ?? "json";
    if ((contentType !== "json" && contentType !== "text") || (contentType === "text" && typeof body.body !== "string")) {
      return [400, { success: false, errors: [{ code: 11002, message: "bad content_type or body" }], result: null }];
    }
    this.enqueue(queue.config.id, body.body, contentType);
    return [200, { success: true, errors: [], messages: [], result: null }];
  }

  private messageByLease(queue: FakeQueue, leaseId: unknown): StoredMessage | undefined {
    const owner = typeof leaseId === "string" ? this.leases.get(leaseId) : undefined;
    return owner && owner[0] === queue.config.id ? queue.messages.get(owner[1]) : undefined;
  }

  /** A delivery failed (retry or expired lease): redeliver later, or dead-letter once attempts are spent. */
  private failDelivery(queue: FakeQueue, message: StoredMessage, visibleAt: number): void {
    delete message.lease;
    if (message.attempts < queue.config.maxAttempts) {
      message.visibleAt = visibleAt;
      return;
    }
    queue.messages.delete(message.id);
    this.stats.deadLettered += 1;
    if (queue.config.deadLetterQueueId) {
      const deadLetters = this.queue(queue.config.deadLetterQueueId);
      const moved = { ...message, id: `msg-${++this.sequence}`, sequence: this.sequence, attempts: 0, visibleAt: Date.now() };
      deadLetters.messages.set(moved.id, moved);
    }
  }

  private sweep(): void {
    const now = Date.now();
    for (const queue of this.queues.values()) {
      for (const message of queue.messages.values()) {
        if (message.lease && message.lease.expiresAt <= now) {
          this.stats.expiredLeases += 1;
          this.failDelivery(queue, message, now);
        }
      }
    }
  }
}

function operationOf(url: string | undefined): Operation | undefined {
  const match = PATH.exec(url ?? "");
  if (!match) return undefined;
  return match[3] === "/pull" ? "pull" : match[3] === "/ack" ? "ack" : "send";
}

function decodeWire(message: StoredMessage): unknown {
  if (message.contentType === "text" || message.contentType === "v8") return message.wireBody;
  const text = Buffer.from(message.wireBody, "base64").toString("utf8");
  return message.contentType === "json" ? JSON.parse(text) : text;
}

function reply(response: ServerResponse, status: number, payload: unknown): void {
  const body = JSON.stringify(payload);
  response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  response.end(body);
}
