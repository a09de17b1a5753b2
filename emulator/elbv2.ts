// Elastic Load Balancing v2 over a Fleet: the read-only Describe* calls about Application and
// Network Load Balancers, their listeners and rules, target groups and target health, in the
// AWS Query protocol (the SDK's `awsQuery`, API version 2015-12-01).
//
// Requests: a signed `POST /` with a form body `Action=DescribeLoadBalancers&Version=2015-12-01&
// Names.member.1=shop-alb&PageSize=20` (lists flattened as `Name.member.N`, 1-based; structures as
// `Targets.member.1.Id`). Responses: `<{Action}Response xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/">
// <{Action}Result>` with the output members under their own names, list items as `<member>`, then
// `<ResponseMetadata><RequestId>`. Errors: `<ErrorResponse><Error><Type>Sender</Type><Code>…`.
// The protocol's documents and lists are ./protocols/query.ts's; this module answers the actions.
// Sources: the ELBv2 API Reference (each action's page and "Common Errors"), the SDK's model
// (@aws-sdk/client-elastic-load-balancing-v2: xmlNamespace, awsQueryError codes), and responses
// recorded from moto_server 5.2.1 (test/fixtures/aws/moto/elbv2-*.xml, compared in
// test/emulator/elbv2.test.ts).

import { createHash } from "node:crypto";
import type {
  Fleet,
  FleetListener,
  FleetListenerRule,
  FleetTargetGroup,
  Stored,
} from "./fleet/types.ts";
import { type AwsQueryDocuments, awsQueryList, awsQueryStructures } from "./protocols/query.ts";
import { AwsError, paginate } from "./wire.ts";

/** The namespace AWS and the SDK model use (`http:`, not `https:`; moto agrees), after an XML
 * declaration as moto_server writes it. */
export const ELBV2_DOCUMENTS: AwsQueryDocuments = {
  xmlns: "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/",
  declaration: true,
};
export const ELBV2_VERSION = "2015-12-01";

/** One ELBv2 action: the form parameters in, the Result's members out (serialized by the protocol). */
export type ElbOperation = (params: URLSearchParams) => Record<string, unknown>;

const validation = (message: string) => new AwsError("ValidationError", message);

// The not-found errors of the API Reference (each 400), worded as AWS words them.
const lbNotFound = () =>
  new AwsError("LoadBalancerNotFound", "One or more load balancers not found");
const tgNotFound = () => new AwsError("TargetGroupNotFound", "One or more target groups not found");
const listenerNotFound = () => new AwsError("ListenerNotFound", "One or more listeners not found");
const ruleNotFound = () => new AwsError("RuleNotFound", "One or more rules not found");

/** `Targets.member.N.Id` / `.Port` / `.AvailabilityZone`, in index order. */
function targetsParam(params: URLSearchParams): { Id: string; Port?: number; AZ?: string }[] {
  return awsQueryStructures(params, "Targets").map((target) => {
    const port = target.get("Port");
    return {
      Id: target.get("Id") ?? "",
      Port: port === null ? undefined : Number(port),
      AZ: target.get("AvailabilityZone") ?? undefined,
    };
  });
}

/**
 * Selects `items` by the given keys (all of them must exist, else `notFound`), or all of them when
 * none is given.
 */
function select<T>(
  items: readonly T[],
  wanted: readonly string[],
  keyOf: (item: T) => string | undefined,
  notFound: () => AwsError,
): T[] {
  if (wanted.length === 0) return [...items];
  if (wanted.some((w) => !items.some((item) => keyOf(item) === w))) throw notFound();
  return items.filter((item) => wanted.includes(keyOf(item) ?? ""));
}

/**
 * One page of `items` with Marker/PageSize (API Reference: PageSize 1 to 400; without it, every
 * match in one page, at most 400), and NextMarker when more remain.
 */
function page<T>(params: URLSearchParams, items: readonly T[]) {
  const raw = params.get("PageSize");
  const pageSize = raw === null ? undefined : Number(raw);
  if (pageSize !== undefined && !Number.isInteger(pageSize)) {
    throw validation(`PageSize must be an integer.`);
  }
  // A marker belongs to the query that issued it: the action and every parameter but the paging.
  const scope = [...params]
    .filter(([key]) => key !== "Marker" && key !== "PageSize")
    .map(([key, value]) => `${key}=${value}`)
    .sort()
    .join("&");
  const { page: items_, nextToken } = paginate(items, {
    scope,
    maxResults: pageSize,
    nextToken: params.get("Marker") ?? undefined,
    defaultMax: 400,
    limit: 400,
    maxResultsName: "PageSize",
    invalid: (message) =>
      validation(message.includes("nextToken") ? "The marker is not valid." : message),
  });
  return { items: items_, NextMarker: nextToken };
}

/** The listener's default rule, as AWS creates it with the listener (Priority "default"). */
function defaultRule(listener: FleetListener): FleetListenerRule {
  const id = createHash("sha256").update(listener.ListenerArn).digest("hex").slice(0, 16);
  return {
    RuleArn: `${listener.ListenerArn.replace(":listener/", ":listener-rule/")}/${id}`,
    ListenerArn: listener.ListenerArn,
    Priority: "default",
    Conditions: [],
    Actions: listener.DefaultActions ?? [],
    IsDefault: true,
  };
}

const withoutKey = <T extends object, K extends keyof T>(item: T, key: K): Omit<T, K> => {
  const { [key]: _dropped, ...rest } = item;
  return rest;
};

const TCP_LIKE = new Set(["TCP", "TLS", "UDP", "TCP_UDP"]);

/**
 * The attributes a target group has when none were changed (ELB User Guides, "Target group
 * attributes" for ALB and NLB). preserve_client_ip.enabled: "disabled if the target group type is
 * IP address and the target group protocol is TCP or TLS. Otherwise, the default is enabled";
 * an ALB's target groups have no such attribute.
 */
function defaultAttributes(group: FleetTargetGroup): { Key: string; Value: string }[] {
  const common = [
    { Key: "deregistration_delay.timeout_seconds", Value: "300" },
    { Key: "stickiness.enabled", Value: "false" },
  ];
  if (!TCP_LIKE.has(group.Protocol ?? "")) {
    return [
      ...common,
      { Key: "stickiness.type", Value: "lb_cookie" },
      { Key: "load_balancing.algorithm.type", Value: "round_robin" },
      { Key: "slow_start.duration_seconds", Value: "0" },
    ];
  }
  const ipTcp = group.TargetType === "ip" && (group.Protocol === "TCP" || group.Protocol === "TLS");
  return [
    ...common,
    { Key: "stickiness.type", Value: "source_ip" },
    { Key: "preserve_client_ip.enabled", Value: ipTcp ? "false" : "true" },
    { Key: "proxy_protocol_v2.enabled", Value: "false" },
  ];
}

export function elbv2Operations(fleet: Fleet): Record<string, ElbOperation> {
  const balancers = fleet.loadBalancers ?? [];
  const listeners = fleet.listeners ?? [];
  const groups = fleet.targetGroups ?? [];
  const health = fleet.targetHealth ?? [];
  const rules = () => [
    ...listeners.map(defaultRule),
    ...(fleet.listenerRules ?? []).filter((r) => !r.IsDefault),
  ];
  const balancer = (arn: string) => {
    if (!balancers.some((b) => b.LoadBalancerArn === arn)) throw lbNotFound();
  };

  return {
    DescribeLoadBalancers(params) {
      let selected = select(
        balancers,
        awsQueryList(params, "LoadBalancerArns"),
        (b) => b.LoadBalancerArn,
        lbNotFound,
      );
      selected = select(
        selected,
        awsQueryList(params, "Names"),
        (b) => b.LoadBalancerName,
        lbNotFound,
      );
      const { items, NextMarker } = page(params, selected);
      return { LoadBalancers: items, NextMarker };
    },

    DescribeListeners(params) {
      const lbArn = params.get("LoadBalancerArn");
      const arns = awsQueryList(params, "ListenerArns");
      if (!lbArn && arns.length === 0) {
        throw validation("You must specify either listener ARNs or a load balancer ARN");
      }
      if (lbArn) balancer(lbArn);
      const ofBalancer = listeners.filter((l) => !lbArn || l.LoadBalancerArn === lbArn);
      const selected = select(ofBalancer, arns, (l) => l.ListenerArn, listenerNotFound);
      const { items, NextMarker } = page(params, selected);
      return { Listeners: items, NextMarker };
    },

    DescribeRules(params) {
      const listenerArn = params.get("ListenerArn");
      const arns = awsQueryList(params, "RuleArns");
      if (!listenerArn && arns.length === 0) {
        throw validation("You must specify either listener rule ARNs or a listener ARN");
      }
      if (listenerArn && !listeners.some((l) => l.ListenerArn === listenerArn)) {
        throw listenerNotFound();
      }
      const all = rules()
        .filter((r) => !listenerArn || r.ListenerArn === listenerArn)
        // Numbered rules in priority order, the default rule last, as the console lists them.
        .sort((a, b) => priorityOf(a) - priorityOf(b));
      const selected = select(all, arns, (r) => r.RuleArn, ruleNotFound);
      const { items, NextMarker } = page(params, selected);
      return { Rules: items.map((r) => withoutKey(r, "ListenerArn")), NextMarker };
    },

    DescribeTargetGroups(params) {
      const lbArn = params.get("LoadBalancerArn");
      if (lbArn) balancer(lbArn);
      let selected = groups.filter((g) => !lbArn || (g.LoadBalancerArns ?? []).includes(lbArn));
      selected = select(
        selected,
        awsQueryList(params, "TargetGroupArns"),
        (g) => g.TargetGroupArn,
        tgNotFound,
      );
      selected = select(
        selected,
        awsQueryList(params, "Names"),
        (g) => g.TargetGroupName,
        tgNotFound,
      );
      const { items, NextMarker } = page(params, selected);
      return { TargetGroups: items, NextMarker };
    },

    DescribeTargetHealth(params) {
      const arn = params.get("TargetGroupArn");
      if (!arn) throw validation("TargetGroupArn is required");
      if (!groups.some((g) => g.TargetGroupArn === arn)) throw tgNotFound();
      const registered = health
        .filter((h) => h.TargetGroupArn === arn)
        .map((h) => withoutKey(h, "TargetGroupArn"));
      const asked = targetsParam(params);
      if (asked.length === 0) return { TargetHealthDescriptions: registered };
      // A target asked about but not registered: "unused", Target.NotRegistered (API TargetHealth).
      return {
        TargetHealthDescriptions: asked.map(
          (t) =>
            registered.find(
              (h) => h.Target?.Id === t.Id && (t.Port === undefined || h.Target?.Port === t.Port),
            ) ?? {
              Target: { Id: t.Id, Port: t.Port, AvailabilityZone: t.AZ },
              TargetHealth: {
                State: "unused",
                Reason: "Target.NotRegistered",
                Description: "Target is not registered to the target group",
              },
            },
        ),
      };
    },

    DescribeTargetGroupAttributes(params) {
      const arn = params.get("TargetGroupArn");
      const group = groups.find((g) => g.TargetGroupArn === arn);
      if (!group) throw tgNotFound();
      const stated = fleet.targetGroupAttributes?.find((a) => a.TargetGroupArn === arn);
      const attributes = defaultAttributes(group).map(
        (d) => stated?.Attributes.find((a) => a.Key === d.Key) ?? d,
      );
      const extra = (stated?.Attributes ?? []).filter(
        (a) => !attributes.some((d) => d.Key === a.Key),
      );
      return { Attributes: [...attributes, ...extra] };
    },

    DescribeTags(params) {
      const arns = awsQueryList(params, "ResourceArns");
      if (arns.length === 0) throw validation("ResourceArns is required");
      if (arns.length > 20) throw validation("You can specify up to 20 resources");
      const allRules = rules();
      return {
        TagDescriptions: arns.map((arn) => {
          const known =
            balancers.some((b) => b.LoadBalancerArn === arn) ||
            groups.some((g) => g.TargetGroupArn === arn) ||
            listeners.some((l) => l.ListenerArn === arn) ||
            allRules.some((r) => r.RuleArn === arn);
          if (!known) throw notFoundFor(arn);
          const stated = fleet.loadBalancingTags?.find((t) => t.ResourceArn === arn);
          return { ResourceArn: arn, Tags: stated?.Tags ?? [] };
        }),
      };
    },
  };
}

const priorityOf = (rule: Stored<FleetListenerRule>) =>
  rule.IsDefault ? Number.POSITIVE_INFINITY : Number(rule.Priority ?? Number.POSITIVE_INFINITY);

function notFoundFor(arn: string): AwsError {
  if (arn.includes(":targetgroup/")) return tgNotFound();
  if (arn.includes(":listener-rule/")) return ruleNotFound();
  if (arn.includes(":listener/")) return listenerNotFound();
  return lbNotFound();
}
