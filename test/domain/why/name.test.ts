import { describe, expect, it } from "vitest";
import type { ServiceClient } from "../../../src/domain/why/client.ts";
import { judge, web } from "./fixtures.ts";

describe("why A cannot reach B: the name", () => {
  it("lets a Service Connect client of the namespace deployed after the name resolve it", () => {
    const report = judge(web());

    expect(report.status).toBe("reachable");
    expect(report.checks[0]).toMatchObject({ layer: "name", status: "ok" });
  });

  it("breaks the name for a client deployed before the name first appeared, and says redeploy", () => {
    const report = judge(web({ deployedAt: new Date("2026-11-19T08:00:00Z") }));

    expect(report.status).toBe("broken");
    expect(report.verdict).toContain("before nginx first appeared in service-connect");
    expect(report.fixes).toEqual([
      {
        link: "resolve nginx.service-connect",
        layer: "name",
        command:
          "aws ecs update-service --cluster tutorial --service web-frontend --force-new-deployment",
        advice: "Redeploy web-frontend: its new tasks' proxies learn nginx.service-connect",
        resources: ["tutorial/web-frontend"],
        startsDeployment: true,
      },
    ]);
  });

  it("judges one task asked about by its own start, not its service's deployment", () => {
    const task = { id: "2b3c4d5e6f7a48b9c0d1e2f3a4b5c603", ip: "10.0.1.88" };
    const old = judge({ ...web(), task: { ...task, startedAt: new Date("2026-11-19T08:00:00Z") } });
    const fresh = judge({
      ...web(),
      task: { ...task, startedAt: new Date("2026-11-22T12:01:00Z") },
    });

    expect(old.verdict).toContain(
      "✖ task 10.0.1.88 of web-frontend cannot reach nginx.service-connect:80: task 2b3c4d5e6f7a of web-frontend started 2026-11-19 08:00 UTC, before nginx first appeared",
    );
    expect(fresh.status).toBe("reachable");
  });

  it("leaves the name unknown, not broken, when the client's deployment time is unread", () => {
    const report = judge(web({ deployedAt: undefined }));

    expect(report.checks[0]).toMatchObject({ layer: "name", status: "unknown" });
    expect(report.status).toBe("unknown");
    expect(report.verdict).toMatch(
      /^\? web-frontend → nginx\.service-connect:80: nothing found broken/,
    );
  });

  it("breaks the name for a service without Service Connect", () => {
    const report = judge(web({ serviceConnectNamespace: undefined }));

    expect(report.verdict).toContain("does not use Service Connect: its tasks have no proxy");
  });

  it("says the client's Service Connect setting is unknown when its service is unread", () => {
    const client: ServiceClient = { ...web(), ecs: undefined };

    const report = judge(client);

    expect(report.checks.filter((c) => c.status === "broken")).toEqual([]);
    expect(report.status).toBe("unknown");
  });
});
