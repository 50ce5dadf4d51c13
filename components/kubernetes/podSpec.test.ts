import { describe, expect, it } from "vitest";
import { databaseUrlEnv, escapeExpansion, paperclipProbes, plainEnv, secretEnv } from "./podSpec";

describe("pod spec pieces", () => {
  it("keeps a literal $( in plain values from Kubernetes' variable expansion", () => {
    expect(escapeExpansion("https://gw.example/$(PATH)/x")).toBe("https://gw.example/$$(PATH)/x");
    expect(plainEnv({ A: "no expansion", B: "$(HOME)" })).toEqual([
      { name: "A", value: "no expansion" },
      { name: "B", value: "$$(HOME)" },
    ]);
  });

  it("marks a reference optional only when asked", () => {
    expect(secretEnv("X", { secretName: "s", key: "k" })).toEqual({ name: "X", valueFrom: { secretKeyRef: { name: "s", key: "k" } } });
    expect(secretEnv("X", { secretName: "s", key: "k", optional: true }).valueFrom!).toEqual({
      secretKeyRef: { name: "s", key: "k", optional: true },
    });
  });

  it("expands the password into DATABASE_URL after defining it", () => {
    expect(
      databaseUrlEnv({
        host: "db.ns.svc.cluster.local",
        port: 5432,
        database: "paperclip",
        user: "paperclip",
        password: { secretName: "c", key: "password" },
      }),
    ).toEqual([
      { name: "PG_PASSWORD", valueFrom: { secretKeyRef: { name: "c", key: "password" } } },
      { name: "DATABASE_URL", value: "postgres://paperclip:$(PG_PASSWORD)@db.ns.svc.cluster.local:5432/paperclip" },
    ]);
  });

  it("probes with the Host the hostname guard allows, and keeps liveness off the database", () => {
    const probes = paperclipProbes();
    for (const probe of [probes.startupProbe, probes.readinessProbe]) {
      expect(probe).toMatchObject({ httpGet: { path: "/api/health", port: "http", httpHeaders: [{ name: "Host", value: "localhost" }] } });
    }
    expect(probes.livenessProbe).toMatchObject({ tcpSocket: { port: "http" } });
    // First boot applies every migration: the startup probe allows five minutes.
    const startup = probes.startupProbe as { periodSeconds: number; failureThreshold: number };
    expect(startup.periodSeconds * startup.failureThreshold).toBe(300);
  });
});
