import { describe, expect, it } from "vitest";
import { type Catalog, knownNames } from "../../../src/commands/reads/catalog.ts";
import { namespaces, nginxFacts } from "../../support/facts.ts";

// "Did you mean" offers names a client can use: never a Service Connect discovery name whose
// alias is something else.

function catalogWithCustomAlias(): Catalog {
  const facts = nginxFacts();
  const service = facts.service;
  if (!service?.serviceConnect) throw new Error("the fixture publishes through Service Connect");
  // A discovery name that differs from the alias clients use.
  service.serviceConnect.services = [
    {
      portName: "nginx",
      discoveryName: "nginx-http",
      discoveryArn: "arn:aws:servicediscovery:ap-northeast-1:123456789012:service/srv-x1",
      clientAliases: [{ dnsName: "web.service-connect", port: 80 }],
    },
  ];
  const serviceConnect = namespaces().find((n) => n.name === "service-connect");
  return {
    namespaces: namespaces(),
    clusters: ["tutorial"],
    ecsServices: [service],
    cloudMapServices: [
      {
        id: "srv-x1",
        arn: "arn:aws:servicediscovery:ap-northeast-1:123456789012:service/srv-x1",
        name: "nginx-http",
        namespaceId: serviceConnect?.id ?? "",
        dnsRecords: [],
      },
    ],
  };
}

describe("knownNames", () => {
  it("offers the alias clients use and never the discovery name they cannot resolve", () => {
    const names = knownNames(catalogWithCustomAlias());

    expect(names).toContain("web.service-connect");
    expect(names).not.toContain("nginx-http.service-connect");
  });

  it("offers ECS's default alias for an alias declared without dnsName", () => {
    const catalog = catalogWithCustomAlias();
    const entry = catalog.ecsServices[0]?.serviceConnect?.services[0];
    if (entry) entry.clientAliases = [{ port: 80 }];

    expect(knownNames(catalog)).toContain("nginx-http.service-connect");
  });
});
