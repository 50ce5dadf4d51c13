/**
 * The MCP server one request is served by, for one verified caller: `email_send` and `ledger_recent`.
 * The caller is fixed when the server is built (worker.ts, from the Access token), so no tool argument
 * can name someone else.
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import type { Caller } from "./caller";
import { emailSend, type EmailSendDependencies } from "./emailSend";
import { recentCrossings } from "./ledger";

export const MCP_SERVER_NAME = "paperclip-harness";
export const MCP_SERVER_VERSION = "1.0.0";
export const LEDGER_RECENT_MAX = 50;

// Types only: the envelope's rules (sizes, address grammar, header safety) are apps/email-envelope's,
// checked there so the tool and the drain can never disagree, and reported by field.
const mailboxList = z.array(z.string()).describe("Mailboxes: addr@domain or Display Name <addr@domain>.");
const emailSendInput = {
  to: mailboxList.min(1),
  cc: mailboxList.optional(),
  bcc: mailboxList.optional().describe("Recipients who get the mail without being shown."),
  from: z.string().optional().describe("Sender; one of the addresses you may send as (default: the first of them)."),
  replyTo: z.string().optional(),
  subject: z.string(),
  text: z.string().optional().describe("Plain-text body; at least one of text and html."),
  html: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional().describe("Extra X-* headers."),
  idempotencyKey: z.string().optional().describe("1-64 of A-Z a-z 0-9 _ -: a retry with the same key sends the mail once."),
};

const ledgerRecentInput = {
  limit: z.number().int().min(1).max(LEDGER_RECENT_MAX).optional().describe(`How many rows (default 20, at most ${LEDGER_RECENT_MAX}).`),
};

export function buildMcpServer(caller: Caller, deps: EmailSendDependencies): McpServer {
  const server = new McpServer({ name: MCP_SERVER_NAME, version: MCP_SERVER_VERSION });

  server.registerTool(
    "email_send",
    {
      title: "Send an email",
      description:
        "Queues one email on the company's outbox (email_outbox); the mail server sends it within minutes. " +
        `You send as: ${deps.rules.sendersFor(caller).join(", ") || "(nobody: this caller may not send)"}. ` +
        "Every call is recorded in the run ledger under your identity.",
      inputSchema: emailSendInput,
      annotations: { destructiveHint: false, idempotentHint: false, openWorldHint: true },
    },
    async (input) => {
      const outcome = await emailSend(caller, input, deps);
      if (!outcome.ok) return { isError: true, content: [{ type: "text", text: outcome.message }] };
      return {
        content: [
          { type: "text", text: `Queued ${outcome.envelopeId} for ${outcome.recipients} recipient(s); ledger row ${outcome.ledgerId}.` },
        ],
        structuredContent: { envelopeId: outcome.envelopeId, ledgerId: outcome.ledgerId, recipients: outcome.recipients },
      };
    },
  );

  server.registerTool(
    "ledger_recent",
    {
      title: "Your recent crossings",
      description: "Your own most recent rows of the run ledger (mail sent, model calls, …), newest first. Read-only.",
      inputSchema: ledgerRecentInput,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ limit }) => {
      const rows = await recentCrossings(deps.db, caller, limit ?? 20);
      const crossings = rows.map((row) => ({
        id: row.id,
        occurredAt: row.occurred_at,
        pathway: row.pathway,
        action: row.action,
        reference: row.reference,
        metadata: JSON.parse(row.metadata) as unknown,
      }));
      return {
        content: [{ type: "text", text: JSON.stringify(crossings, null, 2) }],
        structuredContent: { actor: `${caller.kind}:${caller.id}`, crossings },
      };
    },
  );

  return server;
}
