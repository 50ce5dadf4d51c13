/**
 * The small Harness the host-script tests share: Paperclip's container unit (with a health check),
 * one config file it reads, and the stack's target unit.
 */
import type { HarnessFile } from "../Harness";

export const UNIT: HarnessFile = {
  key: "paperclip.container",
  path: ".config/containers/systemd/paperclip.container",
  content: "[Container]\nImage=ghcr.io/paperclipai/paperclip:sha-b8725c5\nHealthCmd=true\n",
  definesUnit: "paperclip.service",
};

export const CONFIG: HarnessFile = { key: "paperclip/config.json", path: ".config/harness/paperclip/config.json", content: '{"a":1}\n' };

export const TARGET: HarnessFile = {
  key: "sodimo.target",
  path: ".config/systemd/user/sodimo.target",
  content: "[Unit]\n",
  definesUnit: "sodimo.target",
};
