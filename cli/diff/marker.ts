/**
 * The hidden first line of every PR-diff comment (tfcmt's embedded-metadata model): the bot finds
 * its own comment for a project/stack by comparing this line EXACTLY, never by prefix, so `dev`
 * never overwrites `dev-tokyo` (pulumi/actions#1165). The comment workflow repeats the pattern
 * (.github/workflows/pr-diff-comment.yml); a test keeps the two in step.
 */

/** Project and stack names a marker can carry: Pulumi's own characters, nothing that can end a comment. */
export const MARKER_NAME = /^[A-Za-z0-9._-]{1,100}$/;

export const MARKER_PATTERN = /^<!-- paperclip-harness:pr-diff project=([A-Za-z0-9._-]{1,100}) stack=([A-Za-z0-9._-]{1,100}) -->$/;

export function commentMarker(project: string, stack: string): string {
  for (const [what, name] of [
    ["project", project],
    ["stack", stack],
  ] as const) {
    if (!MARKER_NAME.test(name))
      throw new Error(`${what} name ${JSON.stringify(name)} cannot be put in a comment marker (letters, digits, '.', '_', '-')`);
  }
  return `<!-- paperclip-harness:pr-diff project=${project} stack=${stack} -->`;
}

export function parseCommentMarker(line: string): { project: string; stack: string } | undefined {
  const match = MARKER_PATTERN.exec(line);
  return match ? { project: match[1]!, stack: match[2]! } : undefined;
}
