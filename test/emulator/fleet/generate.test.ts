import { describe, expect, it } from "vitest";
import { loadDemoFleet } from "../../../emulator/fleet/demo.ts";
import { generateFleet } from "../../../emulator/fleet/generate.ts";
import { expectConsistent } from "./support.ts";

describe("generateFleet", () => {
  it("adds N Service Connect services to the demo fleet, consistently", () => {
    const demo = loadDemoFleet();

    const fleet = generateFleet({ services: 300, tasksPerService: 3 });

    expect(fleet.services).toHaveLength(demo.services.length + 300);
    expect(fleet.tasks).toHaveLength(demo.tasks.length + 900);
    expect(fleet.services.map((s) => s.serviceName)).toEqual(
      expect.arrayContaining([
        "service-connect-nginx-service",
        "web-frontend",
        "api-service",
        "billing-worker",
      ]),
    );
    expect(new Set(fleet.services.map((s) => s.serviceArn)).size).toBe(fleet.services.length);
    expectConsistent(fleet);
  });

  it("gives each generated service a discovery name and a client alias in one HTTP namespace", () => {
    const fleet = generateFleet({ services: 5 });
    const mesh = fleet.namespaces.find((n) => n.Name === "mesh");

    const generated = fleet.services.slice(-5);

    expect(mesh?.Type).toBe("HTTP");
    for (const service of generated) {
      const config = service.deployments?.[0]?.serviceConnectConfiguration;
      expect(config?.namespace).toBe(mesh?.Arn);
      expect(config?.services?.[0]?.discoveryName).toBe(service.serviceName);
      expect(config?.services?.[0]?.clientAliases?.[0]?.dnsName).toBe(
        `${service.serviceName}.mesh`,
      );
    }
  });

  it("is deterministic", () => {
    expect(generateFleet({ services: 20 })).toEqual(generateFleet({ services: 20 }));
  });
});
