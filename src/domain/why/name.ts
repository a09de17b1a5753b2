// The name link: can the client resolve the target's name, by the kind of name it is.

import type { HealthReport } from "../health.ts";
import type { Known } from "../known.ts";
import { hostOf, type NameBinding } from "../resolution/bindings.ts";
import { reachWithoutName } from "../resolution/publisher.ts";
import type { WhyCheck } from "./check.ts";
import { type Counterpart, type NetworkFacts, shortName, type WhyClient } from "./client.ts";
import { dnsNameCheck } from "./private-dns.ts";
import { serviceConnectNameCheck } from "./service-connect-name.ts";

export function nameChecks(
  client: WhyClient,
  report: HealthReport,
  network: NetworkFacts,
  region: string,
  counterparts: Known<Counterpart[]> | undefined,
): WhyCheck[] {
  const r = report.resolution;
  const focus = r.bindings[0];
  if (r.subject.kind === "task" && r.subject.ip && r.query === r.subject.ip) {
    return [
      { layer: "name", link: "name", status: "ok", detail: `asked by IP: no name to resolve` },
    ];
  }
  if (!focus) {
    return [
      {
        layer: "name",
        link: "name",
        status: "note",
        detail: `${r.publisher.cluster}/${r.publisher.service} publishes no name: ${reachWithoutName(r.publisher)}`,
      },
    ];
  }
  switch (focus.scope.kind) {
    case "service-connect":
      return [serviceConnectNameCheck(client, focus, r.bindings, report, counterparts)];
    case "dns":
      return dnsNameCheck(
        client,
        focus as NameBinding & { scope: { kind: "dns" } },
        network,
        region,
      );
    case "cloud-map-api":
      return [
        {
          layer: "name",
          link: `resolve ${hostOf(focus)}`,
          status: "note",
          detail: `${hostOf(focus)} has no DNS records: ${shortName(client)} must call Cloud Map DiscoverInstances (its role needs servicediscovery:DiscoverInstances)`,
        },
      ];
    case "unconfirmed":
      return [
        {
          layer: "name",
          link: `resolve ${hostOf(focus)}`,
          status: "unknown",
          detail: `the ECS service behind ${hostOf(focus)} could not be read, so whether it is a Service Connect alias is unknown`,
        },
      ];
  }
}
