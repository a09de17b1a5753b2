import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  globMatches,
  type IncidentFacts,
  matchRoutes,
  routeErrorText,
  routesFrom,
  validateRoutes,
} from "../../../src/domain/incidents/routes.ts";

const YAML = `
targets:
  - channel: C0PRODOPS01
    region: us-west-2
    clusters: all
    schedule: rate(1 day)
routes:
  - name: prod-api
    channel: C0PRODAPI01
    match:
      account: "111122223333"
      region: [us-west-2, us-east-1]
      cluster: prod*
      service: api-*
      severity: error
  - channel: C0EVERYONE1
    quiet: [discovery-instance-unhealthy]
  - channel: nope
    match: { severity: loud }
  - match: { service: api }
  - channel: C0ALARMS001
    match: { alarm: "*5xx*" }
`;

const facts = (over: Partial<IncidentFacts> = {}): IncidentFacts => ({
  account: "111122223333",
  region: "us-west-2",
  cluster: "prod-blue",
  service: "api-orders",
  kind: "task-stopped",
  severity: "error",
  ...over,
});

describe("reading routes from the digest targets' parameter", () => {
  it("keeps the valid routes and reports each error of the others by field", () => {
    const result = routesFrom("/ecs-chatops/targets", YAML, parse);

    expect(result.routes.map((r) => [r.index, r.name, r.channel])).toEqual([
      [0, "prod-api", "C0PRODAPI01"],
      [1, "route-1", "C0EVERYONE1"],
      [4, "route-4", "C0ALARMS001"],
    ]);
    expect(result.routes[0]?.match).toEqual({
      accounts: ["111122223333"],
      regions: ["us-west-2", "us-east-1"],
      clusters: ["prod*"],
      services: ["api-*"],
      severity: "error",
    });
    expect(result.errors.map(routeErrorText)).toEqual([
      'routes[2].channel: "nope" is not a channel ID (C… or G…)',
      'routes[2].match.severity: must be one of error, warning (got "loud")',
      "routes[3].channel: required",
    ]);
    expect(result.errors.map((e) => e.index)).toEqual([2, 2, 3]);
  });

  it("says notifications are off when the parameter has no routes, and broken when it is not YAML", () => {
    expect(routesFrom("p", "targets: []", parse)).toEqual({
      configured: false,
      routes: [],
      errors: [],
    });
    const broken = routesFrom("/ecs-chatops/targets", "routes: [", parse);
    expect(broken.configured).toBe(true);
    expect(broken.errors[0]?.path).toBe("/ecs-chatops/targets");
    expect(broken.errors[0]?.message).toMatch(/^not JSON or YAML: /);
  });

  it("reads JSON as well", () => {
    const result = routesFrom("p", JSON.stringify({ routes: [{ channel: "G0PRIVATE01" }] }), parse);
    expect(result.routes).toHaveLength(1);
    expect(result.errors).toEqual([]);
  });

  it.each([
    [
      { channel: "C0AAAAAAA1", extra: 1 },
      "routes[0].extra: not a field of a route (name, channel, match, quiet)",
    ],
    [
      { channel: "C0AAAAAAA1", match: { account: "1234" } },
      'routes[0].match.account: "1234" is not a 12-digit account ID',
    ],
    [
      { channel: "C0AAAAAAA1", match: { region: "mars-1" } },
      'routes[0].match.region: "mars-1" is not an AWS region',
    ],
    [
      { channel: "C0AAAAAAA1", match: { service: [] } },
      "routes[0].match.service: [] is not a name or glob pattern or a non-empty list of them",
    ],
    [
      { channel: "C0AAAAAAA1", match: { colour: "red" } },
      "routes[0].match.colour: not a field of match (account, region, cluster, namespace, service, alarm, severity)",
    ],
    [
      { channel: "C0AAAAAAA1", quiet: ["scale-in"] },
      'routes[0].quiet[0]: must be one of deployment-failed, rollback-started, task-start-impaired, placement-failure, configuration-failure, discovery-instance-unhealthy, task-stopped, alarm, below-desired-count (got "scale-in")',
    ],
    ["C0AAAAAAA1", 'routes[0]: "C0AAAAAAA1" is not an object'],
  ])("reports %j as %s", (route, error) => {
    expect(validateRoutes({ routes: [route] }).errors.map(routeErrorText)).toEqual([error]);
  });

  it("refuses a second route of the same name, keeping the first", () => {
    const result = validateRoutes({
      routes: [
        { name: "a", channel: "C0AAAAAAA1" },
        { name: "a", channel: "C0BBBBBBB1" },
      ],
    });
    expect(result.routes.map((r) => r.channel)).toEqual(["C0AAAAAAA1"]);
    expect(result.errors.map(routeErrorText)).toEqual([
      'routes[1].name: "a" is already the name of routes[0]',
    ]);
  });
});

describe("matching an incident to channels", () => {
  const { routes } = routesFrom("p", YAML, parse);

  it("delivers to every route that matches, each channel once, in route order", () => {
    expect(matchRoutes(routes, facts())).toEqual({
      channels: ["C0PRODAPI01", "C0EVERYONE1"],
      undecided: [],
    });
  });

  it("leaves out a route whose minimum severity, cluster, service, account or region does not match", () => {
    for (const over of [
      { severity: "warning" as const },
      { cluster: "staging" },
      { service: "web" },
      { account: "444455556666" },
      { region: "eu-west-1" },
    ]) {
      expect(matchRoutes(routes, facts(over)).channels).toEqual(["C0EVERYONE1"]);
    }
  });

  it("keeps an incident kind quiet on the route that asks for it", () => {
    expect(matchRoutes(routes, facts({ kind: "discovery-instance-unhealthy" })).channels).toEqual([
      "C0PRODAPI01",
    ]);
  });

  it("sends alarms only to routes that name them", () => {
    const alarm = facts({ kind: "alarm", alarm: "api-5xx-high" });
    expect(matchRoutes(routes, alarm).channels).toEqual(["C0ALARMS001"]);
    expect(matchRoutes(routes, { ...alarm, alarm: "cpu-high" }).channels).toEqual([]);
  });

  it("does not guess a namespace it was not told: the route is undecided", () => {
    const byNamespace = validateRoutes({
      routes: [{ name: "ns", channel: "C0NAMESPACE", match: { namespace: "internal.*" } }],
    }).routes;
    expect(matchRoutes(byNamespace, facts())).toEqual({ channels: [], undecided: ["ns"] });
    expect(matchRoutes(byNamespace, facts({ namespaces: ["internal.local"] })).channels).toEqual([
      "C0NAMESPACE",
    ]);
    expect(matchRoutes(byNamespace, facts({ namespaces: ["public"] })).channels).toEqual([]);
  });

  it("matches globs on the whole name, with dots and dashes literal", () => {
    expect(globMatches("api-*", "api-orders")).toBe(true);
    expect(globMatches("api-*", "web-api-orders")).toBe(false);
    expect(globMatches("a.c", "abc")).toBe(false);
    expect(globMatches("svc-?", "svc-1")).toBe(true);
  });
});
