import { describe, expect, it } from "vitest";
import { txtContent } from "./txtContent";

describe("txtContent", () => {
  it("quotes a short value as one character-string", () => {
    expect(txtContent("v=spf1 mx -all")).toBe('"v=spf1 mx -all"');
    expect(txtContent("")).toBe('""');
  });

  it("splits a long value into 255-byte strings that join back to it", () => {
    const value = `v=DKIM1; k=rsa; p=${"A".repeat(392)}`;
    const content = txtContent(value);
    const strings = [...content.matchAll(/"([^"]*)"/g)].map((m) => m[1]!);
    expect(strings.map((s) => s.length)).toEqual([255, value.length - 255]);
    expect(strings.join("")).toBe(value);
    expect(content).toBe(`"${value.slice(0, 255)}" "${value.slice(255)}"`);
    expect(txtContent("x".repeat(510)).split(" ")).toHaveLength(2);
    expect(txtContent("x".repeat(511)).split(" ")).toHaveLength(3);
  });

  it("escapes quotes and backslashes, and counts the limit on the value's own bytes", () => {
    expect(txtContent('a"b\\c')).toBe('"a\\"b\\\\c"');
    const content = txtContent(`${"x".repeat(254)}"y`);
    expect(content).toBe(`"${"x".repeat(254)}\\"" "y"`);
  });

  it("refuses what is not printable ASCII", () => {
    expect(() => txtContent("line\nbreak")).toThrow(/printable ASCII/);
    expect(() => txtContent("café")).toThrow(/printable ASCII/);
  });
});
