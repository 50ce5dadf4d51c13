-- The run ledger: where crossings of a gateway pathway are recorded (docs: system.md §2), and the
-- dead letters of email_outbox, written by the dead-letter Worker (apps/dlq-worker).
-- Timestamps are ISO-8601 UTC text, which sorts chronologically.
-- IF NOT EXISTS: wrangler applies each file once, but a deploy-time applier may replay a file.

CREATE TABLE IF NOT EXISTS run_ledger (
  id          TEXT PRIMARY KEY,
  occurred_at TEXT NOT NULL,
  -- agent | human | service
  actor_kind  TEXT NOT NULL,
  actor_id    TEXT NOT NULL,
  -- litellm | email_outbox | mcp
  pathway     TEXT NOT NULL,
  action      TEXT NOT NULL,
  -- The pathway's own id for the crossing: envelope id, LiteLLM request id, MCP tool-call id.
  reference   TEXT,
  metadata    TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata))
);

CREATE INDEX IF NOT EXISTS run_ledger_by_time ON run_ledger (occurred_at);
CREATE INDEX IF NOT EXISTS run_ledger_by_pathway ON run_ledger (pathway, occurred_at);
CREATE INDEX IF NOT EXISTS run_ledger_by_actor ON run_ledger (actor_kind, actor_id, occurred_at);

CREATE TABLE IF NOT EXISTS dead_letters (
  id               INTEGER PRIMARY KEY,
  queue            TEXT NOT NULL,
  message_id       TEXT NOT NULL,
  -- When the message was first sent to the queue, and when the Worker recorded it.
  enqueued_at      TEXT NOT NULL,
  received_at      TEXT NOT NULL,
  -- Delivery attempts on the dead-letter queue when the row was written (Cloudflare does not pass
  -- on the attempts made on email_outbox).
  attempts         INTEGER NOT NULL CHECK (attempts >= 1),
  -- malformed: not an email_outbox envelope, so never deliverable.
  -- undelivered: a well-formed envelope the drain did not deliver within its attempts.
  reason           TEXT NOT NULL CHECK (reason IN ('malformed', 'undelivered')),
  -- The body as received; body_encoding says how to read it.
  body             TEXT NOT NULL,
  body_encoding    TEXT NOT NULL CHECK (body_encoding IN ('json', 'text', 'base64')),
  parse_error      TEXT,
  -- Envelope fields, each kept when it could be read, even from a malformed envelope.
  envelope_id      TEXT,
  envelope_from    TEXT,
  envelope_to      TEXT CHECK (envelope_to IS NULL OR json_valid(envelope_to)),
  envelope_subject TEXT,
  -- The weekly summary that reported the row (claimed), and when its mail was enqueued.
  summary_id       TEXT,
  summarized_at    TEXT,
  -- Re-delivery of a message must not add a row.
  UNIQUE (queue, message_id),
  CHECK ((reason = 'malformed') = (parse_error IS NOT NULL))
);

CREATE INDEX IF NOT EXISTS dead_letters_by_summary ON dead_letters (summary_id, summarized_at);
CREATE INDEX IF NOT EXISTS dead_letters_by_time ON dead_letters (received_at);
-- Operators look a lost mail up by its idempotency id.
CREATE INDEX IF NOT EXISTS dead_letters_by_envelope_id ON dead_letters (envelope_id);
