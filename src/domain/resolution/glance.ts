// The short forms of a resolution, for an answer's first view: who can resolve a name in one
// sentence, the mechanism in a few words, the next step in one line. The long forms stay in the
// renderers' full answers; these say the same things, never something else.

import { utcMinute } from "../time.ts";
import { hostOf, type NameBinding } from "./bindings.ts";
import type { Endpoint } from "./endpoints.ts";
import { loadBalancerLabel, type Publisher } from "./publisher.ts";

/** One name a service publishes and how its endpoints are (each name has its own registrations). */
export interface NameHealth {
  /** The binding's name, as a client uses it ("api.service-connect:8080"). */
  name: string;
  healthy: number;
  unknown: number;
  endpoints: number;
}

export function nameHealthOf(name: string, endpoints: readonly Endpoint[]): NameHealth {
  return {
    name,
    healthy: endpoints.filter((e) => e.state === "healthy").length,
    unknown: endpoints.filter((e) => e.state === "unknown").length,
    endpoints: endpoints.length,
  };
}

/** "Service Connect alias", "VPC DNS name": how a name is resolved, in a few words. */
export function mechanismShort(binding: NameBinding): string {
  switch (binding.scope.kind) {
    case "service-connect":
      return "Service Connect alias";
    case "dns":
      return binding.scope.privateZone ? "VPC DNS name" : "public DNS name";
    case "cloud-map-api":
      return "Cloud Map API name (no DNS)";
    case "unconfirmed":
      return "Cloud Map name (no DNS)";
  }
}

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;

/** What a client outside the namespace uses instead of an alias, in a few words. */
function insteadOfAlias(all: readonly NameBinding[], pub: Publisher): string {
  const dns = all.filter((b) => b.scope.kind === "dns").map(hostOf);
  if (dns.length > 0) return dns.join(" or ");
  const [lb] = pub.ecs?.loadBalancers ?? [];
  if (lb) return `its load balancer (${loadBalancerLabel(lb)}) or Cloud Map DiscoverInstances`;
  return "Cloud Map DiscoverInstances or a load balancer";
}

/**
 * Who can resolve a name, in one sentence: the scope (which tasks, which VPCs), who cannot, and
 * what they use instead. Unknown parts are said ("services unread"), never left out.
 */
export function whoResolves(
  binding: NameBinding,
  all: readonly NameBinding[],
  pub: Publisher,
): string {
  const scope = binding.scope;
  switch (scope.kind) {
    case "service-connect": {
      const clients = scope.clientServices;
      const count =
        clients === undefined
          ? "its services unread"
          : `${scope.clientServicesMore ? "more than " : ""}${plural(clients.length, "service")}`;
      // A client deployed before the name appeared has a proxy that does not know it (AWS's rule).
      const after = binding.appearedAt
        ? ` deployed after ${utcMinute(binding.appearedAt)}`
        : " (deployed after the name appeared: that time is unread)";
      return `Resolvable only inside Service Connect tasks of namespace ${scope.namespace}${after} (${count}); not by a Lambda, an EC2 host or other tasks: they use ${insteadOfAlias(all, pub)}.`;
    }
    case "dns": {
      if (!scope.privateZone) return "Public DNS name: resolvable from anywhere.";
      const vpcs = scope.vpcIds;
      if (vpcs === undefined)
        return "Resolvable through VPC DNS in the VPCs of its private zone (which ones could not be read).";
      if (vpcs.length === 0)
        return "Resolvable nowhere: its private hosted zone is attached to no VPC.";
      const where =
        vpcs.length === 1
          ? vpcs[0]
          : vpcs.length === 2
            ? `VPCs ${vpcs.join(" and ")}`
            : `${vpcs.length} VPCs (${vpcs.slice(0, 2).join(", ")}, …)`;
      return `Resolvable through VPC DNS by anything in ${where}: tasks, EC2 hosts, Lambdas attached to ${vpcs.length === 1 ? "it" : "them"}.`;
    }
    case "cloud-map-api":
      return "No DNS: clients find it only through Cloud Map's DiscoverInstances API.";
    case "unconfirmed":
      return "No DNS; whether it is a Service Connect alias is unknown (its ECS service could not be read).";
  }
}

/** What to do next, in one line: where the full answer's next check says it at length. */
export function nextStep(input: {
  bindings: readonly NameBinding[];
  publisher: Publisher;
  endpoints: readonly Endpoint[];
  endpointsKnown: boolean;
}): string {
  const focus = input.bindings[0];
  const pub = input.publisher;
  const owner = `${pub.cluster}/${pub.service}`;
  const name = focus ? hostOf(focus) : owner;
  const ecs = pub.ecs;
  if (ecs && ecs.desired > 0 && ecs.running === 0)
    return `Nothing runs (0 of ${ecs.desired} tasks): /ecs health ${owner} gives the stop reasons.`;
  if (!ecs) return `The ECS service could not be read: /ecs health ${owner} tries again.`;
  if (focus?.instances?.length === 0)
    return `Nothing is registered under ${name}: /ecs health ${name} says why.`;
  if (!input.endpointsKnown) return `The endpoints could not be read: /ecs health ${name}.`;
  const bad = input.endpoints.filter((e) => e.state !== "healthy" && e.state !== "changing");
  if (bad.length > 0)
    return `/ecs health ${name}: why ${plural(bad.length, "endpoint")} ${bad.length === 1 ? "is" : "are"} not healthy, and recent stops.`;
  if (!focus && ecs.serviceConnectClientOnly)
    return `If it cannot reach a name: /ecs why ${owner} <name> checks its name, path and app.`;
  if (!focus)
    return "It publishes no name: a caller needs a load balancer or its task IPs (see Details).";
  return `A client that still fails: /ecs why <client> ${name} checks its name, path and app.`;
}
