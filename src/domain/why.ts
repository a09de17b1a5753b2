// `/ecs why CLIENT TARGET`: why A cannot reach B, judged in the operator's order: can A resolve
// B's name, can the packets get there, does the app answer. Every check is ok, broken, unknown
// (its data could not be read: never taken for open or closed) or a note. The verdict counts every
// broken link and leads with the first in that order; each broken link gets its own fix, as data
// (a command to copy, advice in words, the resources it names). No packet is sent: this reads
// rules, not traffic.

import { dialledTaskReport, type HealthReport } from "./health.ts";
import {
  chooseRoute,
  coveringCidr,
  EPHEMERAL,
  ephemeralFor,
  inCidr,
  type Known,
  type LambdaFunction,
  type NetworkAcl,
  osOfPlatformFamily,
  type PathCheck,
  type PathEnd,
  type ProfileAssociation,
  pathChecks,
  type ResolverRule,
  type RouteTable,
  type SecurityGroup,
  type Subnet,
  type VpcDhcp,
  type VpcDns,
  type VpcNameService,
} from "./network-path.ts";
import { hostOf, type NameBinding, outsideAlternatives, reachWithoutName } from "./resolution.ts";
import { utcMinute } from "./time.ts";

export type WhyLayer = "name" | "path" | "app";
export type CheckStatus = "ok" | "broken" | "unknown" | "note";

export interface WhyCheck {
  layer: WhyLayer;
  link: string;
  status: CheckStatus;
  detail: string;
  /** An AWS CLI command that would open a broken link (a hop's own); the bot never runs it. */
  fix?: string;
  /** What opens it, as data, when more than a bare command: words, a question to ask instead. */
  remedy?: Remedy;
}

/** How to open one broken link, before it is tied to the link. */
export interface Remedy {
  /** An AWS CLI command to copy; absent when no command opens it (advice only). */
  command?: string;
  /** A bot question to ask instead (`/ecs why …`), shown as code like a command. */
  ask?: string;
  /** What to do, in words. */
  advice: string;
  /** Every resource the fix names (IDs, cluster/service, namespace): all of its own link. */
  resources: string[];
  /** It starts a new deployment: applied after the rules, so one deployment meets them open. */
  startsDeployment?: boolean;
}

/** One fix of one broken link: the renderer shows `command`/`ask` as code, `advice` as words. */
export interface WhyFix extends Remedy {
  /** The broken link it opens (a check's `link`). */
  link: string;
  layer: WhyLayer;
}

/** AWS resource IDs a command names (sg-…, acl-…, subnet-…, rtb-…, vpc-…, pcx-…). */
const AWS_ID =
  /\b(?:sg|acl|subnet|rtb|vpc|pcx|tgw|igw|nat|eni|pl|eigw|vgw|dopt|rslvr-rr|rslvr-rrassoc)-[0-9a-f]+\b/g;
/** The resources a command names: AWS IDs, and the CLI's own naming flags. */
export function resourcesIn(command: string): string[] {
  const flag = (name: string) => new RegExp(`--${name} (\\S+)`).exec(command)?.[1];
  const cluster = flag("cluster");
  const service = flag("service");
  const fn = flag("function-name");
  const zone = flag("hosted-zone-id");
  return [
    ...new Set([
      ...(command.match(AWS_ID) ?? []),
      ...(cluster && service ? [`${cluster}/${service}`] : []),
      ...(fn ? [`lambda:${fn}`] : []),
      ...(zone ? [zone] : []),
    ]),
  ];
}

/** A service of the client's own Service Connect namespace, and the name its clients dial. */
export interface Counterpart {
  cluster: string;
  service: string;
  discoveryName: string;
  /** What a client of that namespace types: its alias, "api.staging". */
  name: string;
}

/** A client task as the network sees it. */
export interface ClientTask {
  taskId: string;
  ip?: string;
  subnetId?: string;
  /** Fargate only: the OS it runs on, when its task definition states none. */
  platformFamily?: string;
}

/** An ECS service (or one of its tasks) as the client. */
export interface ServiceClient {
  kind: "service";
  cluster: string;
  service: string;
  /** Asked by task ID or IP: that task alone is the client. */
  task?: { id: string; ip?: string; startedAt?: Date };
  /** Undefined when DescribeServices could not be read. */
  ecs?: {
    /** The Service Connect namespace's name (the command maps ECS's ARN to it), when enabled. */
    serviceConnectNamespace?: string;
    deployedAt?: Date;
    securityGroupIds: string[];
    subnetIds: string[];
  };
  /** Its running tasks (or the one task asked about); unknown when unread. */
  tasks: Known<ClientTask[]>;
  /**
   * Its task definition's runtimePlatform.operatingSystemFamily ("LINUX", "WINDOWS_SERVER_…"):
   * it picks the ephemeral ports replies come back to. Undefined when unstated or unread.
   */
  operatingSystemFamily?: string;
}

export interface LambdaClient {
  kind: "lambda";
  name: string;
  fn: Known<LambdaFunction>;
}

export type WhyClient = ServiceClient | LambdaClient;

/** What EC2 said about both ends (each read may have failed on its own). */
export interface NetworkFacts {
  subnets: Known<Subnet[]>;
  groups: Known<SecurityGroup[]>;
  acls: Known<Map<string, NetworkAcl>>;
  /** The route table of each subnet of both ends (within one VPC too: routes may pass an appliance). */
  routes?: Known<Map<string, RouteTable>>;
  /** The entries of the prefix lists those route tables send somewhere, each read on its own. */
  prefixLists?: Map<string, Known<string[]>>;
  /** The client VPC's DNS attributes: only read for a private DNS name. */
  clientVpcDns?: Known<VpcDns>;
  /** Who else answers DNS in the client's VPC: only read for a private DNS name. */
  clientVpcNames?: VpcNameService;
}

export interface WhyReport {
  client: string;
  /** The target as a client dials it: "api.internal.local:8080". */
  target: string;
  status: "reachable" | "broken" | "unknown";
  verdict: string;
  /** One per broken link, in the order to apply them (rules first, deployments last). */
  fixes: WhyFix[];
  checks: WhyCheck[];
  next: string;
  /** The health report of the target, for the renderer's links. */
  health: HealthReport;
}

export function clientLabel(client: WhyClient): string {
  return client.kind === "lambda" ? `lambda:${client.name}` : `${client.cluster}/${client.service}`;
}

const shortName = (client: WhyClient) =>
  client.kind === "lambda"
    ? `Lambda ${client.name}`
    : client.task
      ? `task ${client.task.ip ?? client.task.id.slice(0, 12)} of ${client.service}`
      : client.service;

/** The port the client's connection really arrives on at the server's ENI. */
export function dialledPort(focus: NameBinding | undefined): number | undefined {
  const port = focus?.listenPort ?? focus?.containerPort;
  return typeof port === "number" ? port : undefined;
}

function serviceConnectNameCheck(
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

function clientVpc(client: WhyClient, network: NetworkFacts): string | undefined {
  if (client.kind === "lambda") return client.fn.known ? client.fn.value.vpc?.vpcId : undefined;
  if (!network.subnets.known) return undefined;
  const ids = client.ecs?.subnetIds ?? [];
  return network.subnets.value.find((s) => ids.includes(s.id))?.vpcId;
}

function dnsNameCheck(
  client: WhyClient,
  focus: NameBinding & { scope: { kind: "dns" } },
  network: NetworkFacts,
  region: string,
): WhyCheck[] {
  const name = hostOf(focus);
  const link = `resolve ${name}`;
  const scope = focus.scope;
  if (!scope.privateZone) {
    return [{ layer: "name", link, status: "ok", detail: `${name} is in a public DNS namespace` }];
  }
  if (client.kind === "lambda") {
    if (!client.fn.known) {
      return [
        {
          layer: "name",
          link,
          status: "unknown",
          detail: `whether Lambda ${client.name} is attached to a VPC: ${client.fn.why}`,
        },
      ];
    }
    if (!client.fn.value.vpc) {
      return [
        {
          layer: "name",
          link,
          status: "broken",
          detail: `Lambda ${client.name} is not attached to a VPC: it resolves through public DNS, which does not answer for the private zone of ${scope.namespace}`,
          fix: `aws lambda update-function-configuration --function-name ${client.name} --vpc-config SubnetIds=<subnets of ${scope.vpcIds?.[0] ?? "the zone's VPC"}>,SecurityGroupIds=<a group the target allows>`,
        },
      ];
    }
  }
  const vpc = clientVpc(client, network);
  if (!vpc) {
    const why = network.subnets.known ? "" : `: ${network.subnets.why}`;
    return [
      {
        layer: "name",
        link,
        status: "unknown",
        detail: `which VPC ${shortName(client)} is in could not be read${why}`,
      },
    ];
  }
  const names = network.clientVpcNames;
  const elsewhere = [
    dnsServersCheck(vpc, scope.namespace, names?.dhcp),
    resolverRulesCheck(vpc, name, names?.rules),
    profileCheck(vpc, name, names?.profiles),
  ];
  // What else may answer the name in this VPC: found, or unread. Either way a missing
  // association or attribute is no longer the whole answer (aws-semantics.md, "Private DNS").
  const inPlay = elsewhere.filter((c) => c.status !== "ok").map((c) => c.detail);
  // The finding restated as a fact about the Amazon resolver alone, then what else is there.
  const unlessElsewhere = ({ check, fact }: Judged): WhyCheck =>
    check.status === "broken" && inPlay.length > 0
      ? {
          ...check,
          status: "unknown",
          detail: `${fact ?? check.detail}, but ${inPlay.join("; and ")}`,
        }
      : check;
  const owner = names?.dhcp.known ? names.dhcp.value.ownerId : undefined;
  return [
    unlessElsewhere(associationCheck(shortName(client), vpc, focus, region, owner)),
    unlessElsewhere(attributesCheck(vpc, network.clientVpcDns)),
    ...elsewhere,
  ];
}

/** A check, and what its finding means when something else may still answer the name. */
interface Judged {
  check: WhyCheck;
  fact?: string;
}

function associationCheck(
  who: string,
  vpc: string,
  focus: NameBinding & { scope: { kind: "dns" } },
  region: string,
  vpcOwner: string | undefined,
): Judged {
  const scope = focus.scope;
  const link = `${vpc} associated with ${scope.namespace}`;
  if (!scope.vpcIds) {
    return {
      check: {
        layer: "name",
        link,
        status: "unknown",
        detail: `the VPCs of the private hosted zone of ${scope.namespace} could not be read`,
      },
    };
  }
  if (scope.vpcIds.includes(vpc)) {
    return {
      check: {
        layer: "name",
        link,
        status: "ok",
        detail: `the private hosted zone of ${scope.namespace} is associated with ${vpc}`,
      },
    };
  }
  const zone = scope.hostedZoneId ?? `<zone of ${scope.namespace}>`;
  const args = `--hosted-zone-id ${zone} --vpc VPCRegion=${region},VPCId=${vpc}`;
  const associate = `aws route53 associate-vpc-with-hosted-zone ${args}`;
  // Another account's VPC: the zone's account authorizes it first (Route 53 guide, "VPC and
  // zone in different accounts").
  const crossAccount = vpcOwner && scope.zoneAccountId && vpcOwner !== scope.zoneAccountId;
  const only = scope.vpcIds.join(", ") || "no VPC";
  return {
    check: {
      layer: "name",
      link,
      status: "broken",
      detail: `${who} is in ${vpc}, and the private hosted zone of ${scope.namespace} is associated only with ${only}: ${hostOf(focus)} does not resolve there`,
      ...(crossAccount
        ? {
            remedy: {
              command: `aws route53 create-vpc-association-authorization ${args}`,
              advice: `${vpc} is in account ${vpcOwner} and the zone in account ${scope.zoneAccountId}: first, in account ${scope.zoneAccountId} (the zone's), authorize it with the command below; then, in account ${vpcOwner} (the VPC's): ${associate}`,
              resources: [zone, vpc],
            },
          }
        : { fix: associate }),
    },
    fact: `the private hosted zone of ${scope.namespace} is not associated with ${vpc} (only with ${only})`,
  };
}

function attributesCheck(vpc: string, dns: Known<VpcDns> | undefined): Judged {
  const link = `${vpc} DNS attributes`;
  if (!dns?.known) {
    return {
      check: {
        layer: "name",
        link,
        status: "unknown",
        detail: `enableDnsSupport and enableDnsHostnames of ${vpc}: ${dns && !dns.known ? dns.why : "not read"}`,
      },
    };
  }
  const off = (["enableDnsSupport", "enableDnsHostnames"] as const).filter((a) => !dns.value[a]);
  if (off.length === 0) {
    return {
      check: {
        layer: "name",
        link,
        status: "ok",
        detail: `${vpc} has enableDnsSupport and enableDnsHostnames on`,
      },
    };
  }
  return {
    check: {
      layer: "name",
      link,
      status: "broken",
      detail: `${vpc} has ${off.join(" and ")} off: private hosted zones do not resolve in it, silently`,
      fix: off
        .map(
          (a) =>
            `aws ec2 modify-vpc-attribute --vpc-id ${vpc} --${a === "enableDnsSupport" ? "enable-dns-support" : "enable-dns-hostnames"} '{"Value":true}'`,
        )
        .join(" && "),
    },
    fact: `${vpc} has ${off.join(" and ")} off, so its Amazon resolver answers no private hosted zone`,
  };
}

const AMAZON_DNS = "AmazonProvidedDNS";

/** The DHCP options' DNS servers: only AmazonProvidedDNS leaves the name to the VPC's resolver. */
function dnsServersCheck(
  vpc: string,
  namespace: string,
  dhcp: Known<VpcDhcp> | undefined,
): WhyCheck {
  const link = `${vpc} DNS servers`;
  if (!dhcp?.known) {
    return {
      layer: "name",
      link,
      status: "unknown",
      detail: `which DNS servers the DHCP options of ${vpc} hand out could not be read: ${dhcp && !dhcp.known ? dhcp.why : "not read"}`,
    };
  }
  const servers = dhcp.value.domainNameServers;
  const custom = servers.filter((s) => s !== AMAZON_DNS);
  if (servers.length === 0) {
    const set =
      dhcp.value.dhcpOptionsId === "default"
        ? "no DHCP option set"
        : `DHCP options ${dhcp.value.dhcpOptionsId} without domain-name-servers`;
    return {
      layer: "name",
      link,
      status: "unknown",
      detail: `${vpc} has ${set}: its hosts get no DNS server from DHCP, so which one they ask is unknown`,
    };
  }
  if (custom.length > 0) {
    const also =
      custom.length < servers.length ? ` (${AMAZON_DNS} is listed too: hosts may ask either)` : "";
    return {
      layer: "name",
      link,
      status: "unknown",
      detail: `custom DNS servers ${custom.join(", ")} answer for this VPC: they resolve ${namespace} only if they forward it to the VPC's Amazon resolver${also}`,
    };
  }
  return {
    layer: "name",
    link,
    status: "ok",
    detail: `its DHCP options hand out ${AMAZON_DNS}, the VPC's Amazon resolver`,
  };
}

const ruleLabel = (rule: ResolverRule) => (rule.name ? `${rule.name} (${rule.id})` : rule.id);

/**
 * Resolver rules associated with the VPC: the most specific one whose domain is the name or a
 * parent decides; FORWARD (or DELEGATE) takes precedence over the private zone, SYSTEM and
 * RECURSIVE leave the name to the Resolver (API ResolverRule, RuleType).
 */
function resolverRulesCheck(
  vpc: string,
  name: string,
  rules: Known<ResolverRule[]> | undefined,
): WhyCheck {
  const link = `${vpc} Resolver rules`;
  if (!rules?.known) {
    return {
      layer: "name",
      link,
      status: "unknown",
      detail: `the Route 53 Resolver rules of ${vpc} could not be read: ${rules && !rules.known ? rules.why : "not read"}`,
    };
  }
  const host = name.toLowerCase().replace(/\.$/, "");
  const covers = (domain: string) =>
    domain === "" || host === domain || host.endsWith(`.${domain}`);
  const best = rules.value
    .filter((r) => r.domainName !== undefined && covers(r.domainName))
    .sort((a, b) => (b.domainName?.length ?? 0) - (a.domainName?.length ?? 0))[0];
  const unread = rules.value.filter((r) => r.domainName === undefined);
  if (best && (best.ruleType === "FORWARD" || best.ruleType === "DELEGATE")) {
    const domain = best.domainName ? `${best.domainName} and its subdomains` : "every name";
    const verb = best.ruleType === "FORWARD" ? "forwards" : "delegates";
    return {
      layer: "name",
      link,
      status: "unknown",
      detail: `Resolver rule ${ruleLabel(best)} ${verb} ${domain} from ${vpc} to ${best.targets.join(", ") || "its endpoint's targets"}, ahead of the private hosted zone: ${name} resolves only if those servers answer for it`,
    };
  }
  if (unread.length > 0) {
    return {
      layer: "name",
      link,
      status: "unknown",
      detail: `Resolver rule ${unread.map(ruleLabel).join(", ")} is associated with ${vpc} but was not among the rules read, so whether it forwards ${name} is unknown`,
    };
  }
  if (best) {
    return {
      layer: "name",
      link,
      status: "ok",
      detail: `the most specific rule for ${name}, ${best.name ?? best.id} (${best.name ? `${best.id}, ` : ""}${best.ruleType} for ${best.domainName || "."}), hands it back to the Resolver`,
    };
  }
  return {
    layer: "name",
    link,
    status: "ok",
    detail: `no Route 53 Resolver rule associated with ${vpc} forwards ${name} or a parent domain`,
  };
}

/** A Route 53 Profile can carry zones and rules of its own into the VPC (not read here). */
function profileCheck(
  vpc: string,
  name: string,
  profiles: Known<ProfileAssociation[]> | undefined,
): WhyCheck {
  const link = `${vpc} Route 53 Profile`;
  if (!profiles?.known) {
    return {
      layer: "name",
      link,
      status: "unknown",
      detail: `whether a Route 53 Profile is associated with ${vpc} could not be read: ${profiles && !profiles.known ? profiles.why : "not read"}`,
    };
  }
  const [profile] = profiles.value;
  if (!profile) {
    return {
      layer: "name",
      link,
      status: "ok",
      detail: `no Route 53 Profile is associated with ${vpc}`,
    };
  }
  return {
    layer: "name",
    link,
    status: "unknown",
    detail: `Route 53 Profile ${profile.profileId}${profile.name ? ` (association ${profile.name})` : ""} is associated with ${vpc}: a Profile can carry private zones and Resolver rules of its own, which then decide ${name} here (what it holds is not read)`,
  };
}

function nameChecks(
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

/** A subnet's CIDR, or the address itself when the subnet is not among those read. */
function subnetOf(subnets: Subnet[], id: string | undefined, ip?: string): Subnet | undefined {
  return (
    subnets.find((s) => s.id === id) ?? (ip ? subnets.find((s) => inCidr(ip, s.cidr)) : undefined)
  );
}

function endOf(
  name: string,
  address: string,
  subnet: Subnet,
  groupIds: string[],
  network: NetworkFacts,
  ephemeral: PathEnd["ephemeral"],
): PathEnd {
  const groups: Known<SecurityGroup[]> = network.groups.known
    ? { known: true, value: network.groups.value.filter((g) => groupIds.includes(g.id)) }
    : network.groups;
  const acl: Known<NetworkAcl> = !network.acls.known
    ? network.acls
    : network.acls.value.has(subnet.id)
      ? { known: true, value: network.acls.value.get(subnet.id) as NetworkAcl }
      : {
          known: false,
          why: `no network ACL is associated with ${subnet.id} in what EC2 returned`,
        };
  return {
    name,
    ip: address,
    securityGroupIds: groupIds,
    groups,
    subnetId: subnet.id,
    subnetCidr: subnet.cidr,
    acl,
    ephemeral,
  };
}

/** One end per subnet: the client's tasks (or, unread, its subnets: any address in them). */
function clientEnds(client: WhyClient, subnets: Subnet[], network: NetworkFacts): PathEnd[] {
  if (client.kind === "lambda") {
    const vpc = client.fn.known ? client.fn.value.vpc : undefined;
    if (!vpc) return [];
    return vpc.subnetIds.flatMap((id) => {
      const s = subnetOf(subnets, id);
      // A Lambda's ENIs take any address of its subnets: the whole CIDR must be let through.
      return s
        ? [endOf(shortName(client), s.cidr, s, vpc.securityGroupIds, network, EPHEMERAL.lambda)]
        : [];
    });
  }
  const groups = client.ecs?.securityGroupIds ?? [];
  const bySubnet = new Map<string, PathEnd>();
  const tasks = client.tasks.known ? client.tasks.value : [];
  // The task definition's runtimePlatform first; a Fargate task also says its platformFamily.
  const ports = ephemeralFor(
    client.operatingSystemFamily ??
      osOfPlatformFamily(tasks.find((t) => t.platformFamily)?.platformFamily),
  );
  for (const task of tasks) {
    const s = subnetOf(subnets, task.subnetId, task.ip);
    if (!s || !task.ip || bySubnet.has(s.id)) continue;
    bySubnet.set(s.id, endOf(client.service, task.ip, s, groups, network, ports));
  }
  if (bySubnet.size === 0) {
    for (const id of client.ecs?.subnetIds ?? []) {
      const s = subnetOf(subnets, id);
      if (s) bySubnet.set(s.id, endOf(client.service, s.cidr, s, groups, network, ports));
    }
  }
  return [...bySubnet.values()];
}

function serverEnds(report: HealthReport, subnets: Subnet[], network: NetworkFacts): PathEnd[] {
  const pub = report.resolution.publisher;
  const name = pub.service;
  const groups = pub.ecs?.securityGroups ?? [];
  const own = subnets.filter((s) => pub.ecs?.subnets.includes(s.id));
  const bySubnet = new Map<string, PathEnd>();
  // A healthy endpoint speaks for its subnet: it is where traffic should go.
  const live = report.resolution.endpoints
    .filter((e) => e.ip && e.state !== "stale" && e.state !== "unknown")
    .sort((a, b) => Number(b.state === "healthy") - Number(a.state === "healthy"));
  for (const e of live) {
    const s = subnetOf(own.length > 0 ? own : subnets, undefined, e.ip);
    if (!s || !e.ip || bySubnet.has(s.id)) continue;
    bySubnet.set(s.id, endOf(name, e.ip, s, groups, network, EPHEMERAL.linux));
  }
  if (bySubnet.size === 0) {
    for (const s of own)
      bySubnet.set(s.id, endOf(name, s.cidr, s, groups, network, EPHEMERAL.linux));
  }
  return [...bySubnet.values()];
}

/** The route `from`'s subnet's table uses towards `to`'s subnet, or why it cannot be told. */
function routeFor(from: PathEnd, to: PathEnd, network: NetworkFacts) {
  const routes = network.routes;
  if (!routes?.known) {
    return {
      why: `the route tables could not be read${routes && !routes.known ? `: ${routes.why}` : ""}`,
    };
  }
  const table = routes.value.get(from.subnetId);
  if (!table) return { why: `no route table of ${from.subnetId} in what EC2 returned` };
  return { table, choice: chooseRoute(table, to.subnetCidr, network.prefixLists ?? new Map()) };
}

const GATEWAYS: [string, string][] = [
  ["nat-", "a NAT gateway, which replaces the source address with its own"],
  ["igw-", "an internet gateway, which delivers nothing to a private address of another VPC"],
];

/** One direction's route hop, and the appliance it passes through, if any (one VPC only). */
interface RouteHop {
  check: WhyCheck;
  appliance?: string;
  /** The route table that decided it, when it was read. */
  table?: string;
}

/**
 * The route hop from `from`'s subnet towards `to`'s. Within one VPC the local route carries it,
 * unless a more specific route or a replaced local target sends it through an appliance (VPC
 * User Guide, "Configure route tables"). Across VPCs it needs a peering or transit gateway
 * route; a reply that leaves by a NAT or internet gateway never comes back as the answer (VPC
 * Peering Guide, "Update your route tables"). The fix names the peering connection the other
 * direction uses, when it uses one.
 */
function routeCheck(
  from: PathEnd,
  to: PathEnd,
  vpcs: { from: string; to: string },
  network: NetworkFacts,
  replies: boolean,
): RouteHop {
  const link = `route ${from.subnetId} → ${to.subnetCidr}${replies ? " (replies)" : ""}`;
  const found = routeFor(from, to, network);
  const hop = (status: WhyCheck["status"], detail: string, fix?: string): RouteHop => ({
    check: { layer: "path", link, status, detail, ...(fix ? { fix } : {}) },
    ...(found.table ? { table: found.table.id } : {}),
  });
  if (!found.table) return hop("unknown", found.why);
  const { table, choice } = found;
  if (choice.kind === "unknown") return hop("unknown", choice.why);
  const sameVpc = vpcs.from === vpcs.to;
  const back = routeFor(to, from, network).choice;
  const peering =
    back?.kind === "route" && back.route.target.startsWith("pcx-")
      ? back.route.target
      : `<pcx-… between ${vpcs.from} and ${vpcs.to}>`;
  const create = `aws ec2 create-route --route-table-id ${table.id} --destination-cidr-block ${to.subnetCidr} --vpc-peering-connection-id ${peering}`;
  if (choice.kind === "none") {
    return sameVpc
      ? hop("unknown", `${table.id} has no local route for ${to.subnetCidr} in what EC2 returned`)
      : hop("broken", `${table.id} has no route to ${to.subnetCidr} (${to.name})`, create);
  }
  const { route } = choice;
  const dest = choice.entry
    ? `${choice.entry} (prefix list ${route.destination})`
    : route.destination;
  const flag = route.prefixList ? "--destination-prefix-list-id" : "--destination-cidr-block";
  if (route.state === "blackhole") {
    const restore = choice.local
      ? `aws ec2 replace-route --route-table-id ${table.id} --destination-cidr-block ${route.destination} --local-target`
      : `aws ec2 delete-route --route-table-id ${table.id} ${flag} ${route.destination}`;
    return hop(
      "broken",
      `${table.id} sends ${dest} to ${route.target}, which is gone (blackhole)`,
      sameVpc ? restore : create,
    );
  }
  if (sameVpc) {
    if (choice.local && route.target === "local") {
      return hop("ok", `both in ${vpcs.from}: ${table.id} sends ${dest} by the local route`);
    }
    const how = choice.local
      ? `the local route of ${table.id} (${dest}) has its target replaced by ${route.target}`
      : `${table.id} sends ${dest} to ${route.target}, a route more specific than the local route`;
    return {
      ...hop(
        "unknown",
        `${how}: the traffic passes through that appliance, whose own rules are not read`,
      ),
      appliance: route.target,
    };
  }
  if (route.target.startsWith("pcx-")) {
    return hop("ok", `${table.id} sends ${dest} to ${route.target}`);
  }
  // Where a transit gateway sends it next is in its own route tables, which the bot does not
  // read: the hop is unknown, never ✔.
  if (route.target.startsWith("tgw-")) {
    return hop(
      "unknown",
      `${table.id} sends ${dest} to transit gateway ${route.target}: the transit gateway's route tables are not read, so whether it carries the traffic to ${to.name} is unknown`,
    );
  }
  const gateway = GATEWAYS.find(([prefix]) => route.target.startsWith(prefix))?.[1];
  if (replies && gateway) {
    return hop(
      "broken",
      `${table.id} sends ${dest} to ${route.target}: the replies to ${to.name} in ${vpcs.to} leave through ${gateway}, not the peering connection, so they never arrive as ${from.name}'s answer`,
      create,
    );
  }
  return hop(
    "unknown",
    `${table.id} sends ${dest} to ${route.target}: the path leaves the VPC and is not checked`,
  );
}

/** Both directions of a pair in one VPC as one link: the worse of the two, or both ok. */
function sameVpcRoute(there: RouteHop, back: RouteHop, vpc: string): WhyCheck {
  const rank: Record<CheckStatus, number> = { broken: 0, unknown: 1, note: 2, ok: 3 };
  const worse = rank[back.check.status] < rank[there.check.status] ? back : there;
  if (worse.check.status === "ok") {
    const tables = [there.table, back.table];
    return {
      layer: "path",
      link: "route",
      status: "ok",
      detail: `both in ${vpc}: the local route of ${[...new Set(tables)].join(" and ")} carries it both ways`,
    };
  }
  const which = worse.check.link.replace(/^route /, "");
  return { ...worse.check, link: "route", detail: `${which}: ${worse.check.detail}` };
}

/**
 * The same link seen from several subnet pairs: broken if any pair breaks it (that pair's
 * detail), else unknown if any is unknown, else ok.
 */
function mergeByLink(checks: WhyCheck[]): WhyCheck[] {
  const order: string[] = [];
  const byLink = new Map<string, WhyCheck>();
  const rank: Record<CheckStatus, number> = { broken: 0, unknown: 1, note: 2, ok: 3 };
  for (const check of checks) {
    const seen = byLink.get(check.link);
    if (!seen) {
      order.push(check.link);
      byLink.set(check.link, check);
    } else if (rank[check.status] < rank[seen.status]) {
      byLink.set(check.link, check);
    }
  }
  return order.map((link) => byLink.get(link) as WhyCheck);
}

const MAX_PAIRS = 16;

function pathChecksOf(client: WhyClient, report: HealthReport, network: NetworkFacts): WhyCheck[] {
  const focus = report.resolution.bindings[0];
  const link = "network path";
  if (client.kind === "lambda") {
    if (!client.fn.known) {
      return [{ layer: "path", link, status: "unknown", detail: client.fn.why }];
    }
    if (!client.fn.value.vpc) {
      return [
        {
          layer: "path",
          link,
          status: "broken",
          detail: `Lambda ${client.name} is not attached to a VPC: it reaches only public addresses, and the tasks have private IPs`,
          remedy: {
            advice: `Opens with the name's fix: once Lambda ${client.name} is attached to a VPC that reaches the tasks, its security groups and ACLs are checked`,
            resources: [`lambda:${client.name}`],
          },
        },
      ];
    }
  }
  if (client.kind === "service" && !client.ecs) {
    return [
      {
        layer: "path",
        link,
        status: "unknown",
        detail: `${client.service}'s security groups and subnets could not be read (DescribeServices)`,
      },
    ];
  }
  const port = dialledPort(focus);
  if (port === undefined) {
    return [
      {
        layer: "path",
        link,
        status: "unknown",
        detail:
          focus?.listenPort === "ephemeral"
            ? "the Service Connect proxy listens on an ephemeral port (bridge mode): the rules are not checked"
            : "the port the target listens on could not be told",
      },
    ];
  }
  const bridge = (c: string) =>
    `${c} uses no awsvpc security groups (bridge or host networking): its container instances' groups apply, and they are not read`;
  if (client.kind === "service" && (client.ecs?.securityGroupIds.length ?? 0) === 0) {
    return [{ layer: "path", link, status: "unknown", detail: bridge(client.service) }];
  }
  if ((report.resolution.publisher.ecs?.securityGroups.length ?? 0) === 0) {
    const why = report.resolution.publisher.ecs
      ? bridge(report.resolution.publisher.service)
      : `${report.resolution.publisher.service}'s security groups could not be read`;
    return [{ layer: "path", link, status: "unknown", detail: why }];
  }
  if (!network.subnets.known) {
    const why = network.subnets.why;
    return [{ layer: "path", link, status: "unknown", detail: `the subnets of both ends: ${why}` }];
  }
  const subnets = network.subnets.value;
  const clients = clientEnds(client, subnets, network);
  const servers = serverEnds(report, subnets, network);
  if (clients.length === 0 || servers.length === 0) {
    return [
      {
        layer: "path",
        link,
        status: "unknown",
        detail: `the subnets of ${clients.length === 0 ? shortName(client) : report.resolution.publisher.service} were not among those EC2 described`,
      },
    ];
  }
  // One ACL entry covering every subnet of the other side, not one per subnet.
  const cover = (ends: PathEnd[]) => coveringCidr(ends.map((e) => e.subnetCidr));
  for (const end of clients) end.fixCidr = cover(clients);
  for (const end of servers) end.fixCidr = cover(servers);
  const ranked: { check: WhyCheck; rank: number }[] = [];
  let pairs = 0;
  for (const c of clients) {
    for (const s of servers) {
      if (++pairs > MAX_PAIRS) break;
      const cVpc = subnets.find((x) => x.id === c.subnetId)?.vpcId ?? "";
      const sVpc = subnets.find((x) => x.id === s.subnetId)?.vpcId ?? "";
      const there = routeCheck(c, s, { from: cVpc, to: sVpc }, network, false);
      const back = routeCheck(s, c, { from: sVpc, to: cVpc }, network, true);
      const hops: PathCheck[] = pathChecks(c, s, port, there.appliance ?? back.appliance);
      // The route comes after the client's own subnet and before the server's.
      const route: WhyCheck[] =
        cVpc === sVpc ? [sameVpcRoute(there, back, cVpc)] : [there.check, back.check];
      // The order a packet meets them, whatever the pair: groups out, ACL out, route, ACL in,
      // groups in, then the replies (one subnet: groups out, "no ACL", groups in).
      const order = hops.length === 3 ? [0, 1, 4] : [0, 1, 3, 4, 5, 6];
      hops.forEach((h, i) => {
        ranked.push({ check: { layer: "path", ...h }, rank: order[i] ?? 9 });
      });
      for (const r of route) ranked.push({ check: r, rank: 2 });
    }
  }
  return mergeByLink(ranked.sort((a, b) => a.rank - b.rank).map((r) => r.check));
}

function appChecks(client: WhyClient, report: HealthReport): WhyCheck[] {
  const r = report.resolution;
  const focus = r.bindings[0];
  const port = dialledPort(focus);
  const subject = report.subject;
  const checks: WhyCheck[] = [];
  const endpoints = `${r.healthy} of ${r.endpoints.length} endpoints healthy${port ? ` on TCP ${port}` : ""}`;
  switch (report.level) {
    case "down":
      checks.push({
        layer: "app",
        link: "endpoints",
        status: "broken",
        detail: `${subject} is down: ${report.reason}`,
        remedy: {
          advice: report.nextCheck,
          resources: [`${r.publisher.cluster}/${r.publisher.service}`],
        },
      });
      break;
    case "unknown":
      checks.push({ layer: "app", link: "endpoints", status: "unknown", detail: report.reason });
      break;
    case "degraded":
      checks.push({
        layer: "app",
        link: "endpoints",
        status: "note",
        detail: `${endpoints}; degraded: ${report.reason}`,
      });
      break;
    default:
      checks.push({ layer: "app", link: "endpoints", status: "ok", detail: endpoints });
  }
  const stopped = report.stopped;
  checks.push(
    stopped === undefined
      ? {
          layer: "app",
          link: "recent stops",
          status: "unknown",
          detail: "the stopped tasks could not be read",
        }
      : stopped.length === 0
        ? { layer: "app", link: "recent stops", status: "ok", detail: "no task stopped recently" }
        : {
            layer: "app",
            link: "recent stops",
            status: "note",
            detail: `${stopped.length} stopped recently; last: ${stopped[0]?.note}`,
          },
  );
  if (focus?.scope.kind === "service-connect" && client.kind === "service") {
    checks.push(trafficCheck(client, report));
  }
  return checks;
}

/** Service Connect traffic from this client in the last 15 minutes: if any, name and path work. */
function trafficCheck(client: ServiceClient, report: HealthReport): WhyCheck {
  const link = "traffic from the client";
  const t = report.traffic;
  if (!t) {
    const gap = report.gaps.find((g) => /metric|traffic|CloudWatch/i.test(`${g.what} ${g.why}`));
    return {
      layer: "app",
      link,
      status: gap ? "unknown" : "note",
      detail: gap ? `Service Connect metrics: ${gap.why}` : "Service Connect metrics not measured",
    };
  }
  const caller = t.callers.find(
    (c) => c.cluster === client.cluster && c.service === client.service,
  );
  const sent = caller ? (caller.requests ?? caller.perTarget ?? caller.bytes ?? 0) : 0;
  if (!caller || sent <= 0) {
    return {
      layer: "app",
      link,
      status: "note",
      detail: `no Service Connect traffic from ${client.service} to ${t.discoveryName} in the last ${t.window.label}`,
    };
  }
  const what =
    caller.requests !== undefined
      ? `${Math.round(caller.requests).toLocaleString("en-US")} requests${caller.errorRate !== undefined ? ` (${(caller.errorRate * 100).toFixed(1)} % 5xx)` : ""}`
      : caller.bytes !== undefined
        ? `${Math.round(caller.bytes).toLocaleString("en-US")} bytes`
        : "traffic";
  return {
    layer: "app",
    link,
    status: "ok",
    detail: `${client.service} sent ${what} to ${t.discoveryName} in the last ${t.window.label}: its name and path worked then`,
  };
}

function targetName(report: HealthReport): string {
  const focus = report.resolution.bindings[0];
  const r = report.resolution;
  if (r.subject.kind === "task" && r.subject.ip && r.query === r.subject.ip) {
    const port = dialledPort(focus);
    return port ? `${r.subject.ip}:${port}` : r.subject.ip;
  }
  if (!focus) return `${r.publisher.cluster}/${r.publisher.service}`;
  return /:\d+$/.test(focus.name)
    ? focus.name
    : `${focus.name}${focus.containerPort ? `:${focus.containerPort}` : ""}`;
}

export interface WhyInput {
  client: WhyClient;
  report: HealthReport;
  network: NetworkFacts;
  region: string;
  /**
   * What the client's own Service Connect namespace publishes, read only when the target's alias
   * is in another namespace (see crossNamespace): where to look for the target's counterpart.
   */
  counterparts?: Known<Counterpart[]>;
}

/**
 * Asked by service, task or IP, the target's names are all candidates: judge the one this client
 * would use (a Service Connect alias of its own namespace, else a DNS name), not merely the first.
 */
function forClient(client: WhyClient, health: HealthReport): HealthReport {
  // Asked by a task's IP, the client dials that task alone (the health report judges its service).
  const report = dialledTaskReport(health);
  const r = report.resolution;
  if (r.subject.kind === "name" || r.bindings.length < 2) return report;
  const usable = (b: NameBinding) =>
    b.scope.kind === "service-connect"
      ? client.kind === "service" && client.ecs?.serviceConnectNamespace === b.scope.namespace
      : b.scope.kind === "dns";
  const chosen = r.bindings.find(usable);
  if (!chosen || chosen === r.bindings[0]) return report;
  const bindings = [chosen, ...r.bindings.filter((b) => b !== chosen)];
  return { ...report, resolution: { ...r, bindings } };
}

/**
 * The client and the target's namespaces when the alias this client would use is in another
 * Service Connect namespace than its own: the command then reads what the client's namespace
 * publishes, for a counterpart (see WhyInput.counterparts). Undefined otherwise.
 */
export function crossNamespace(
  client: WhyClient,
  health: HealthReport,
): { own: string; target: string } | undefined {
  const focus = forClient(client, health).resolution.bindings[0];
  const own = client.kind === "service" ? client.ecs?.serviceConnectNamespace : undefined;
  if (!own || focus?.scope.kind !== "service-connect" || focus.scope.namespace === own) return;
  return { own, target: focus.scope.namespace };
}

/**
 * What a target stands for, each exactly as it must be typed: for a bare word, every name of each
 * service found whose discovery name it is (one service can publish it twice: by DNS and through
 * Service Connect), else the service itself; for anything else, each service. More than one is
 * ambiguous: the answer lists them and judges none.
 */
export function targetChoices(typed: string, bareWord: boolean, reports: HealthReport[]): string[] {
  const word = typed.toLowerCase();
  const choices = reports.flatMap((report) => {
    const r = report.resolution;
    const label = `${r.publisher.cluster}/${r.publisher.service}`;
    if (!bareWord) return [label];
    const named = r.bindings.filter((b) => b.discoveryName.toLowerCase() === word).map(hostOf);
    return named.length > 0 && r.subject.kind === "name" ? named : [label];
  });
  return [...new Set(choices)];
}

/** A broken link's fix as data: its remedy, else its hop's command, else advice alone. */
function fixOf(check: WhyCheck, apart: boolean): WhyFix {
  const base = { link: check.link, layer: check.layer };
  // Across environments, opening a rule would let one into the other: only the name is fixed.
  if (apart && check.layer !== "name") {
    return {
      ...base,
      advice: `Not proposed: the client and the target are in different Service Connect namespaces (different environments), and opening ${check.link} would let one into the other`,
      resources: [],
    };
  }
  if (check.remedy) return { ...base, ...check.remedy };
  if (check.fix) {
    return {
      ...base,
      command: check.fix,
      advice: "run the command below to open it",
      resources: resourcesIn(check.fix),
    };
  }
  return {
    ...base,
    advice: `No command opens ${check.link} from what the bot reads: see its line below`,
    resources: [],
  };
}

/**
 * Links one command opens get that command once, naming them all: subnets sharing a route
 * table break their replies together, and one route fixes every one of them.
 */
function oneFixPerCommand(fixes: WhyFix[]): WhyFix[] {
  const byCommand = new Map<string, WhyFix>();
  const out: WhyFix[] = [];
  for (const fix of fixes) {
    const same = fix.command ? byCommand.get(fix.command) : undefined;
    if (!same) {
      out.push(fix);
      if (fix.command) byCommand.set(fix.command, fix);
      continue;
    }
    const merged = { ...same, link: `${same.link}, ${fix.link}` };
    out[out.indexOf(same)] = merged;
    byCommand.set(fix.command as string, merged);
  }
  return out;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * The whole chain; the verdict counts every broken link and leads with the first in the
 * operator's order (name, then path, then app); one fix per broken link.
 */
export function judgeWhy(input: WhyInput): WhyReport {
  const { client, network } = input;
  const report = forClient(client, input.report);
  const who = shortName(client);
  const target = targetName(report);
  const checks = [
    ...nameChecks(client, report, network, input.region, input.counterparts),
    ...pathChecksOf(client, report, network),
    ...appChecks(client, report),
  ];
  const broken = checks.filter((c) => c.status === "broken");
  const unknown = checks.filter((c) => c.status === "unknown");
  const flowing = checks.find((c) => c.link === "traffic from the client" && c.status === "ok");
  const base = { client: clientLabel(client), target, checks, health: report };
  const again = `/ecs why ${clientLabel(client)} ${report.query}`;
  const [first, ...rest] = broken;
  if (first) {
    const seen =
      flowing && first.layer !== "app"
        ? ` (yet its traffic showed in the last ${report.traffic?.window.label ?? "15m"}: the rule changed since, or some of its tasks still get through)`
        : "";
    const lead = `${first.link.endsWith("(replies)") ? "the replies are dropped: " : ""}${first.detail}${seen}`;
    const apart = crossNamespace(client, report) !== undefined;
    // Rules and settings first, what starts a deployment last: its new tasks then start with
    // every other link open, and one deployment is enough. Else in the chain's order.
    // (sort is stable: equals keep the chain's order)
    const fixes = oneFixPerCommand(broken.map((c) => fixOf(c, apart))).sort(
      (a, b) => Number(!!a.startsDeployment) - Number(!!b.startsDeployment),
    );
    const only = fixes.length === 1 ? fixes[0] : undefined;
    const ask = fixes.find((f) => f.ask)?.ask;
    return {
      ...base,
      status: "broken",
      verdict:
        rest.length === 0
          ? `✖ ${who} cannot reach ${target}: ${lead}`
          : `✖ ${who} cannot reach ${target}: ${broken.length} broken links. First, ${first.link}: ${lead}. Also broken: ${rest.map((c) => c.link).join(", ")}.`,
      fixes,
      // Across environments nothing is to be applied: the question is the wrong pair.
      next: apart
        ? ask
          ? `Ask about the client's own environment instead: ${ask}`
          : "No fix is proposed: the client and the target are in different Service Connect namespaces (different environments)."
        : only
          ? only.command
            ? `Fix (${first.layer}): run the command above, then ${again} again.`
            : `Fix the ${first.layer} link above, then ${again} again.`
          : `Apply the ${fixes.length} fixes above in the order given, then ${again} again.`,
    };
  }
  const [u, ...others] = unknown;
  if (u) {
    return {
      ...base,
      status: "unknown",
      verdict:
        others.length === 0
          ? `? ${who} → ${target}: nothing found broken, but ${u.link} is unknown: ${u.detail}`
          : `? ${who} → ${target}: nothing found broken, but ${plural(unknown.length, "link is", "links are")} unknown. First, ${u.link}: ${u.detail}. Also unknown: ${others.map((c) => c.link).join(", ")}.`,
      fixes: [],
      next: `Unknown is not open: retry in a minute if AWS throttled; give the bot's role the read if it was denied. Until then check ${u.link} in the console.`,
    };
  }
  return {
    ...base,
    fixes: [],
    status: "reachable",
    verdict: `✔ ${who} can reach ${target}: the name resolves for it, the rules let TCP ${dialledPort(report.resolution.bindings[0]) ?? ""} through both ways, and ${report.resolution.healthy} endpoint${report.resolution.healthy === 1 ? " is" : "s are"} healthy${flowing ? "; its traffic shows in the metrics" : ""}`,
    next: `Everything the bot can read is open. If it still fails, look inside the task: is the app listening on that port, does a firewall in the container drop it (ECS Exec into ${who} and connect to ${target})?`,
  };
}
