import { describe, expect, it } from "vitest";
import { nextStep, whoResolves } from "../../src/domain/resolution/glance.ts";
import { buildResolution } from "../../src/domain/resolution.ts";
import { apiFacts, nginxFacts } from "../support/facts.ts";

// The first view's short forms of a resolution: each says what the whole answer says, shorter.

const byName = (name: string) => ({
  query: name,
  subject: { kind: "name" as const, name },
  focusName: { name },
});

const sentence = (r: ReturnType<typeof buildResolution>) => {
  const [focus] = r.bindings;
  if (!focus) throw new Error("the name is published");
  return whoResolves(focus, r.bindings, r.publisher);
};

describe("whoResolves, who can resolve a name in one sentence", () => {
  it("says a Service Connect alias resolves only in the namespace's tasks deployed after it appeared", () => {
    const r = buildResolution(byName("nginx.service-connect"), nginxFacts());

    expect(sentence(r)).toMatch(
      /^Resolvable only inside Service Connect tasks of namespace service-connect deployed after \d{4}-\d\d-\d\d \d\d:\d\d UTC \(2 services\); not by a Lambda, an EC2 host or other tasks: they use Cloud Map DiscoverInstances or a load balancer\.$/,
    );
  });

  it("stays one short sentence for a namespace of a hundred services", () => {
    const r = buildResolution(byName("nginx.service-connect"), nginxFacts());
    const [focus, ...rest] = r.bindings;
    if (focus?.scope.kind !== "service-connect")
      throw new Error("nginx is a Service Connect alias");
    const many = Array.from({ length: 100 }, (_, i) => `service-${i}`);
    const wide = {
      ...focus,
      scope: { ...focus.scope, clientServices: many, clientServicesMore: true },
    };

    const said = whoResolves(wide, [wide, ...rest], r.publisher);

    expect(said).toContain("(more than 100 services)");
    expect(said.length).toBeLessThan(260);
    expect(said).not.toContain("service-42");
  });

  it("says which services could not be read rather than counting none", () => {
    const r = buildResolution(byName("nginx.service-connect"), nginxFacts());
    const [focus] = r.bindings;
    if (focus?.scope.kind !== "service-connect")
      throw new Error("nginx is a Service Connect alias");
    const unread = { ...focus, scope: { ...focus.scope, clientServices: undefined } };

    expect(whoResolves(unread, [unread], r.publisher)).toContain("(its services unread)");
  });

  it("says a private DNS name resolves through VPC DNS in its zone's VPC", () => {
    const r = buildResolution(byName("api.internal.local"), apiFacts());

    expect(sentence(r)).toBe(
      "Resolvable through VPC DNS by anything in vpc-0b1e2c3d4e5f60718: tasks, EC2 hosts, Lambdas attached to it.",
    );
  });
});

describe("nextStep, the next step in one line", () => {
  it("sends an unhealthy name to its health answer", () => {
    const r = buildResolution(byName("api.internal.local"), apiFacts());

    expect(nextStep(r)).toBe(
      "/ecs health api.internal.local: why 1 endpoint is not healthy, and recent stops.",
    );
  });

  it("offers why for a healthy name, as the question to type", () => {
    const r = buildResolution(byName("nginx.service-connect"), nginxFacts());

    expect(nextStep(r)).toBe(
      "A client that still fails: /ecs why <client> nginx.service-connect checks its name, path and app.",
    );
  });
});

describe("buildResolution's health of each name", () => {
  it("counts each published name's endpoints on its own", () => {
    const r = buildResolution(byName("api.internal.local"), apiFacts());

    expect(r.nameHealth[0]).toEqual({
      name: "api.internal.local",
      healthy: 2,
      unknown: 0,
      endpoints: 3,
    });
    expect(r.nameHealth.map((h) => h.name)).toEqual(r.bindings.map((b) => b.name));
  });
});

describe("nextStep of a service that publishes no name", () => {
  it("asks why about a Service Connect client that cannot reach a name", () => {
    const facts = nginxFacts();
    if (facts.service?.serviceConnect) facts.service.serviceConnect.services = [];

    const r = buildResolution(
      { query: "tutorial/web-frontend", subject: { kind: "service" } },
      facts,
    );

    expect(nextStep(r)).toBe(
      "If it cannot reach a name: /ecs why tutorial/service-connect-nginx-service <name> checks its name, path and app.",
    );
  });
});
