import { parse } from "smol-toml";
import { describe, expect, test } from "vitest";
import { type FlyTomlInput, renderFlyToml } from "./renderFlyToml";

const INPUT: FlyTomlInput = {
  app: "acme-paperclip",
  primaryRegion: "fra",
  env: { PORT: "3100", PAPERCLIP_PUBLIC_URL: "https://acme-paperclip.tail0000aa.ts.net", NODE_ENV: "production" },
  internalPort: 3100,
  healthPath: "/api/health",
  volume: { source: "paperclip_data", destination: "/paperclip" },
  vm: { size: "shared-cpu-1x", memoryMb: 1024 },
};

interface FlyToml {
  app: string;
  primary_region: string;
  env: Record<string, string>;
  http_service: {
    internal_port: number;
    auto_stop_machines: string;
    min_machines_running: number;
    checks: Array<{
      grace_period: string;
      interval: string;
      timeout: string;
      method: string;
      path: string;
      headers: Record<string, string>;
    }>;
  };
  mounts: Array<{ source: string; destination: string }>;
  vm: Array<{ size: string; memory: string }>;
}

describe("renderFlyToml", () => {
  test("renders a stable fly.toml", () => {
    expect(renderFlyToml(INPUT)).toMatchSnapshot();
  });

  test("writes the seed's lessons whatever the input", () => {
    const toml = parse(renderFlyToml(INPUT)) as unknown as FlyToml;
    expect(toml.http_service.checks).toEqual([
      { grace_period: "120s", interval: "30s", timeout: "10s", method: "GET", path: "/api/health", headers: { Host: "localhost" } },
    ]);
    expect(toml.http_service.min_machines_running).toBe(1);
    expect(toml.http_service.auto_stop_machines).toBe("off");
    expect(toml.mounts).toEqual([{ source: "paperclip_data", destination: "/paperclip" }]);
    expect(toml.vm).toEqual([{ size: "shared-cpu-1x", memory: "1024mb" }]);
  });

  test("escapes every value (a serializer, not string building)", () => {
    const tricky = 'a "quoted" \\ value\nwith a newline and [brackets] = # not a comment';
    const toml = parse(renderFlyToml({ ...INPUT, app: 'x"y', env: { ...INPUT.env, TRICKY: tricky } })) as unknown as FlyToml;
    expect(toml.env.TRICKY).toBe(tricky);
    expect(toml.app).toBe('x"y');
  });

  test("refuses less than 1024 MB and invalid variable names", () => {
    expect(() => renderFlyToml({ ...INPUT, vm: { size: "shared-cpu-1x", memoryMb: 512 } })).toThrow(
      'fly.toml (components/fly/renderFlyToml.ts): at least 1024 MB: below it the agent CLI is OOM-killed: "512"',
    );
    expect(() => renderFlyToml({ ...INPUT, env: { "BAD NAME": "x" } })).toThrow(
      'an environment variable name ([A-Za-z_][A-Za-z0-9_]*): "BAD NAME"',
    );
  });
});
