// The name link for a Service Connect alias: only the proxies of the services in its namespace,
// started after the name appeared, resolve it.

import type { HealthReport } from "../health.ts";
import type { Known } from "../known.ts";
import { hostOf, type NameBinding } from "../resolution/bindings.ts";
import { outsideAlternatives } from "../resolution/publisher.ts";
import { utcMinute } from "../time.ts";
import type { Remedy, WhyCheck } from "./check.ts";
import { type Counterpart, clientLabel, type ServiceClient, type WhyClient } from "./client.ts";

export function serviceConnectNameCheck(
  client: WhyClient,
  focus: NameBinding,
  all: NameBinding[],
  report: HealthReport,
  counterparts: Known<Counterpart[]> | undefined,
): WhyCheck {
  const name = hostOf(focus);
  const link = `resolve ${name}`;
  const ns = focus.scope.namespace;
  const pub = report.resolution.publisher;
  const pubLabel = `${pub.cluster}/${pub.service}`;
  if (client.kind === "lambda") {
    return {
      layer: "name",
      link,
      status: "broken",
      detail: `${name} is a Service Connect alias: only the Service Connect proxy in the tasks of ECS services in namespace ${ns} resolves it. A Lambda function never can`,
      remedy: {
        advice: `Call it by what a Lambda can resolve: ${outsideAlternatives(focus, all, pub)}`,
        resources: [pubLabel, ns],
      },
    };
  }
  const ecs = client.ecs;
  if (!ecs) {
    return {
      layer: "name",
      link,
      status: "unknown",
      detail: `whether ${client.service} uses Service Connect could not be read`,
    };
  }
  const label = clientLabel(client);
  const update = `aws ecs update-service --cluster ${client.cluster} --service ${client.service}`;
  if (!ecs.serviceConnectNamespace) {
    // Its own environment's namespace is unknown: only a publisher of its own cluster shows it.
    const sameCluster = pub.cluster === client.cluster;
    const instead = `Without Service Connect it can ${outsideAlternatives(focus, all, pub)}`;
    return {
      layer: "name",
      link,
      status: "broken",
      detail: `${name} is a Service Connect alias, and ${client.service} does not use Service Connect: its tasks have no proxy to resolve it`,
      remedy: sameCluster
        ? {
            command: `${update} --service-connect-configuration 'enabled=true,namespace=${ns}'`,
            advice: `Turn on Service Connect in namespace ${ns}, where ${pub.service} of its own cluster publishes ${name} (starts a new deployment). ${instead}`,
            resources: [label, ns],
            startsDeployment: true,
          }
        : {
            advice: `${client.service} is in cluster ${client.cluster} and ${pub.service} in ${pub.cluster}: no namespace is proposed for it, as joining another environment's namespace is no fix. ${instead}`,
            resources: [label, pubLabel],
          },
    };
  }
  if (ecs.serviceConnectNamespace !== ns) {
    return {
      layer: "name",
      link,
      status: "broken",
      detail: `${client.service} uses Service Connect namespace ${ecs.serviceConnectNamespace}; ${name} is only in namespace ${ns}: they are in different Service Connect namespaces`,
      remedy: counterpartRemedy(client, ecs.serviceConnectNamespace, focus, pub, counterparts),
    };
  }
  // A task knows the endpoints that existed when it started: asked about one task, its own start
  // decides; about a service, its PRIMARY deployment's (ECS guide, "Service Connect components").
  const started = client.task ? client.task.startedAt : ecs.deployedAt;
  const who = client.task
    ? `task ${client.task.id.slice(0, 12)} of ${client.service}`
    : `${client.service}'s deployment`;
  if (!focus.appearedAt || !started) {
    return {
      layer: "name",
      link,
      status: "unknown",
      detail: `${client.service} is in namespace ${ns}, but ${focus.appearedAt ? `when ${who} started` : `when ${focus.discoveryName} first appeared in the namespace`} could not be read, so whether its proxies know ${name} is unknown`,
    };
  }
  if (started.getTime() < focus.appearedAt.getTime()) {
    return {
      layer: "name",
      link,
      status: "broken",
      detail: `${who} started ${utcMinute(started)}, before ${focus.discoveryName} first appeared in ${ns} (${utcMinute(focus.appearedAt)}): its tasks' proxies do not know ${name} until it is redeployed`,
      remedy: {
        command: `${update} --force-new-deployment`,
        advice: `Redeploy ${client.service}: its new tasks' proxies learn ${name}`,
        resources: [label],
        startsDeployment: true,
      },
    };
  }
  return {
    layer: "name",
    link,
    status: "ok",
    detail: `${client.service} is a Service Connect service of ${ns}; ${who} started ${utcMinute(started)}, after ${focus.discoveryName} first appeared (${utcMinute(focus.appearedAt)})`,
  };
}

/**
 * Client and target in different Service Connect namespaces are different environments: the fix
 * is never to move the client into the target's namespace, but to ask about the target's
 * counterpart in the client's own namespace (same discovery name, or same service name), if any.
 */
function counterpartRemedy(
  client: ServiceClient,
  own: string,
  focus: NameBinding,
  pub: HealthReport["resolution"]["publisher"],
  counterparts: Known<Counterpart[]> | undefined,
): Remedy {
  const label = clientLabel(client);
  const apart = `${client.service} and ${pub.service} are in different Service Connect namespaces (${own} and ${focus.scope.namespace}): moving ${client.service} into ${focus.scope.namespace} would take it out of its own environment`;
  if (!counterparts?.known) {
    return {
      advice: `${apart}. Whether namespace ${own} has a counterpart of ${pub.service} could not be read${counterparts ? `: ${counterparts.why}` : ""}`,
      resources: [label, own],
    };
  }
  const match =
    counterparts.value.find((c) => c.discoveryName === focus.discoveryName) ??
    counterparts.value.find((c) => c.service === pub.service);
  if (!match) {
    return {
      advice: `${apart}. Namespace ${own} has no counterpart of ${pub.service} (no ${focus.discoveryName} and no service named ${pub.service} in it): no command is proposed`,
      resources: [label, own],
    };
  }
  return {
    ask: `/ecs why ${label} ${match.name}`,
    advice: `${apart}. ${own}'s own counterpart is ${match.name} (${match.cluster}/${match.service}): ask about it instead`,
    resources: [label, own, `${match.cluster}/${match.service}`],
  };
}
