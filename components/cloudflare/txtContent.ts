/**
 * A TXT record's content as Cloudflare's API takes it: RFC 1035 character-strings, each in double
 * quotes and at most 255 bytes, separated by a space (`"v=DKIM1; k=rsa; p=MIIB…" "…AQAB"`), which is
 * what the API's schema asks of `content` (docs/mail.md §DNS names the source). A receiver joins the
 * strings back without a separator, which is how DKIM and SPF read a long record (RFC 6376 §3.6.2.2,
 * RFC 7208 §3.3).
 */

/** The longest character-string a TXT record can carry (its length is one byte). */
export const TXT_STRING_BYTES = 255;

export function txtContent(value: string): string {
  // Printable ASCII only: what every record this stack publishes is made of, and byte length = length.
  if (!/^[\x20-\x7e]*$/.test(value)) throw new Error("TXT content: only printable ASCII is supported");
  const strings: string[] = [];
  let rest = value;
  do {
    // The limit counts the string's own bytes; the quoting below is only how the API writes them.
    strings.push(rest.slice(0, TXT_STRING_BYTES));
    rest = rest.slice(TXT_STRING_BYTES);
  } while (rest.length > 0);
  return strings.map((s) => `"${s.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`).join(" ");
}
