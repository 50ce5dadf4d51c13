// Re-validates a pull request's diff document before the privileged comment workflow posts it as the
// bot (.github/workflows/pr-diff-comment.yml). The document is built by the pull request's own code, so
// it is untrusted: it is posted only if it is Markdown that cli/diff/renderStackDiff.ts can produce.
// That renderer escapes every value (cli/diff/markdown.ts), so outside fenced blocks the only markup is
// the few tags below; a mention, an image, a link or any other HTML there came from somewhere else.
// Plain CommonJS with no dependencies: actions/github-script requires it from the default branch's
// checkout, without npm. A test runs every golden document through it (test/prDiffWorkflows.test.ts).
"use strict";

/** The tags the renderer writes, without attributes. */
const ALLOWED_TAGS = new Set(["code", "details", "summary", "sub"]);

/**
 * Constructs GitHub turns into something the renderer never writes, checked outside fenced blocks.
 * Each names what it found, so the workflow's failure says why a document was refused.
 */
const FORBIDDEN = [
  { pattern: /(^|[^\w`])@[A-Za-z0-9][\w-]*/, what: "an @mention" },
  { pattern: /!\[/, what: "an image" },
  { pattern: /\]\(|\]\[|^\s*\[[^\]]*\]:/m, what: "a Markdown link" },
  { pattern: /<(?:https?|ftp|mailto):/i, what: "an autolink" },
  { pattern: /\b(?:https?|ftp):\/\/|\bwww\./i, what: "a bare URL (GitHub links it)" },
  { pattern: /[\w.+-]+@[\w-]+\.[\w.-]+/, what: "an email address (GitHub links it)" },
  { pattern: /&(?![#A-Za-z0-9]+;)/, what: "a bare &" },
];

/** A fence line: three or more backticks (the renderer never fences with tildes), then an info string. */
const FENCE = /^(`{3,})([^`]*)$/;

/**
 * Problems that keep `body` from being posted; empty when it is a document the renderer can produce.
 * `marker` is the exact first line the document must have.
 * @param {string} body
 * @param {string} marker
 * @returns {string[]}
 */
function commentProblems(body, marker) {
  const problems = [];
  const lines = body.split("\n");
  if (lines[0] !== marker) problems.push("the first line is not the stack's marker");
  let fence = "";
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    const where = `line ${i + 1}`;
    if (fence) {
      // Inside a fence GitHub shows text as it is; only a fence at least as long closes it.
      if (/^`{3,}\s*$/.test(line) && line.trim().length >= fence.length) fence = "";
      continue;
    }
    const opening = FENCE.exec(line);
    if (opening) {
      if (!/^[a-z]*$/.test(opening[2])) problems.push(`${where}: a fence with the info string ${JSON.stringify(opening[2])}`);
      fence = opening[1];
      continue;
    }
    if (/[\u0000-\u0008\u000b-\u001f\u007f\u202a-\u202e\u2066-\u2069]/.test(line)) problems.push(`${where}: a control character`);
    if (/<!--/.test(line)) problems.push(`${where}: an HTML comment`);
    for (const tag of line.matchAll(/<\/?([A-Za-z][\w-]*)([^>]*)>?/g)) {
      if (!ALLOWED_TAGS.has(tag[1].toLowerCase()) || tag[2] !== "" || !tag[0].endsWith(">"))
        problems.push(`${where}: the HTML ${JSON.stringify(tag[0].slice(0, 40))}`);
    }
    for (const { pattern, what } of FORBIDDEN) if (pattern.test(line)) problems.push(`${where}: ${what}`);
  }
  if (fence) problems.push("a fenced block is never closed");
  return problems;
}

module.exports = { commentProblems };
