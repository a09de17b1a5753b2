import {
  type Action,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
  type RuleCondition,
  type Listener as SdkListener,
  type LoadBalancer as SdkLoadBalancer,
  type Rule as SdkRule,
  type TargetGroup as SdkTargetGroup,
  type TargetHealthDescription,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import {
  type Listener,
  type ListenerRule,
  type LoadBalancer,
  type LoadBalancerType,
  TARGET_STATES,
  type TargetGroup,
  type TargetHealth,
  type TargetState,
} from "../domain/load-balancing/types.ts";
import { chunk } from "./batch.ts";
import { TTL, type TtlCache } from "./cache.ts";
import { AwsReadError, read } from "./errors.ts";

// Elastic Load Balancing v2 reads (ELBv2 API Reference, 2015-12-01) in the domain's types
// (src/domain/load-balancing/types.ts). Balancers, listeners, rules and target groups change with
// infrastructure, not deploys: kept a minute, like the VPC's rules (an engineer fixing a health
// check asks again a minute later). Target health changes every health check interval: kept a few
// seconds only, so one answer's reads share it without serving a stale state.

/** How long target health is kept: shared by one answer's reads, never across incidents. */
export const TARGET_HEALTH_TTL_MS = 5_000;
/** DescribeLoadBalancers and DescribeTargetGroups take up to 20 names or ARNs per call. */
const NAMES_PER_CALL = 20;
/** DescribeTargetHealth reads one target group per call: this many in flight at once. */
const TARGET_HEALTH_IN_FLIGHT = 8;
/** PageSize's upper bound (API Reference); one page holds every balancer of most accounts. */
const PAGE_SIZE = 400;

/** A target group's targets as DescribeTargetHealth reported them, or why they are unknown. */
export type TargetGroupHealth =
  | { targetGroupArn: string; known: true; targets: TargetHealth[] }
  /**
   * Denied, throttled, timed out…: UNKNOWN, never "no targets" and never healthy. `gone`: AWS
   * answered TargetGroupNotFound, so the group does not exist (a finding for the caller, not a gap).
   */
  | { targetGroupArn: string; known: false; error: AwsReadError; gone?: true };

const TYPES = new Set<LoadBalancerType>(["application", "network", "gateway"]);
const STATES = new Set<string>(TARGET_STATES);

export function toLoadBalancer(lb: SdkLoadBalancer): LoadBalancer {
  const type = lb.Type as LoadBalancerType | undefined;
  return {
    arn: lb.LoadBalancerArn ?? "",
    name: lb.LoadBalancerName ?? "",
    dnsName: lb.DNSName ?? "",
    ...(lb.CanonicalHostedZoneId ? { canonicalHostedZoneId: lb.CanonicalHostedZoneId } : {}),
    type: type && TYPES.has(type) ? type : "application",
    scheme: lb.Scheme === "internal" ? "internal" : "internet-facing",
    vpcId: lb.VpcId ?? "",
    state: lb.State?.Code ?? "unknown",
    zones: (lb.AvailabilityZones ?? []).flatMap((z) =>
      z.ZoneName && z.SubnetId ? [{ zone: z.ZoneName, subnetId: z.SubnetId }] : [],
    ),
    securityGroups: lb.SecurityGroups ?? [],
  };
}

/** The target groups an action forwards to: its TargetGroupArn and its ForwardConfig's groups. */
function forwardedGroups(actions: readonly Action[] | undefined): string[] {
  const arns = (actions ?? [])
    .filter((a) => a.Type === "forward")
    .flatMap((a) => [
      ...(a.TargetGroupArn ? [a.TargetGroupArn] : []),
      ...(a.ForwardConfig?.TargetGroups ?? []).flatMap((g) =>
        g.TargetGroupArn ? [g.TargetGroupArn] : [],
      ),
    ]);
  return [...new Set(arns)];
}

export function toListener(listener: SdkListener): Listener {
  return {
    arn: listener.ListenerArn ?? "",
    loadBalancerArn: listener.LoadBalancerArn ?? "",
    port: listener.Port ?? 0,
    protocol: listener.Protocol ?? "",
    defaultTargetGroupArns: forwardedGroups(listener.DefaultActions),
  };
}

/** A rule condition in words: "path-pattern /api/*", "http-header X-Env staging". */
function conditionInWords(c: RuleCondition): string {
  const field = c.Field ?? "condition";
  const values =
    c.PathPatternConfig?.Values ??
    c.HostHeaderConfig?.Values ??
    c.HttpRequestMethodConfig?.Values ??
    c.SourceIpConfig?.Values ??
    (c.QueryStringConfig?.Values ?? []).map((kv) => (kv.Key ? `${kv.Key}=${kv.Value}` : kv.Value));
  if (c.HttpHeaderConfig) {
    const header = c.HttpHeaderConfig.HttpHeaderName ?? "";
    return `${field} ${header} ${(c.HttpHeaderConfig.Values ?? []).join(" or ")}`.trim();
  }
  const words = values && values.length > 0 ? values : (c.Values ?? []);
  return `${field} ${words.join(" or ")}`.trim();
}

export function toRule(rule: SdkRule, listenerArn: string): ListenerRule {
  return {
    arn: rule.RuleArn ?? "",
    listenerArn,
    priority: rule.Priority ?? "",
    isDefault: rule.IsDefault === true,
    conditions: (rule.Conditions ?? []).map(conditionInWords),
    targetGroupArns: forwardedGroups(rule.Actions),
  };
}

export function toTargetGroup(group: SdkTargetGroup): TargetGroup {
  const targetType = group.TargetType ?? "instance";
  return {
    arn: group.TargetGroupArn ?? "",
    name: group.TargetGroupName ?? "",
    ...(group.Protocol ? { protocol: group.Protocol } : {}),
    ...(group.Port === undefined ? {} : { port: group.Port }),
    ...(group.VpcId ? { vpcId: group.VpcId } : {}),
    targetType,
    loadBalancerArns: group.LoadBalancerArns ?? [],
    healthCheck: {
      // Enabled unless AWS says otherwise: only a Lambda target group may turn it off, and older
      // answers (the API Reference's own example) leave the member out.
      enabled: group.HealthCheckEnabled !== false,
      protocol: group.HealthCheckProtocol,
      port: group.HealthCheckPort,
      path: group.HealthCheckPath,
      matcher: group.Matcher?.HttpCode ?? group.Matcher?.GrpcCode,
      intervalSeconds: group.HealthCheckIntervalSeconds,
      timeoutSeconds: group.HealthCheckTimeoutSeconds,
      healthyThreshold: group.HealthyThresholdCount,
      unhealthyThreshold: group.UnhealthyThresholdCount,
    },
  };
}

export function toTargetHealth(
  description: TargetHealthDescription,
  targetGroupArn: string,
): TargetHealth {
  const state = description.TargetHealth?.State as TargetState | undefined;
  const health = description.TargetHealth;
  return {
    targetGroupArn,
    id: description.Target?.Id ?? "",
    ...(description.Target?.Port === undefined ? {} : { port: description.Target.Port }),
    ...(description.Target?.AvailabilityZone
      ? { availabilityZone: description.Target.AvailabilityZone }
      : {}),
    ...(description.HealthCheckPort ? { healthCheckPort: description.HealthCheckPort } : {}),
    // A state this code does not know yet reads as unavailable (health not known), never healthy.
    state: state && STATES.has(state) ? state : "unavailable",
    ...(health?.Reason ? { reason: health.Reason } : {}),
    ...(health?.Description ? { description: health.Description } : {}),
  };
}

/**
 * The balancer name an ELB DNS name carries: `[internal-]NAME-ID.REGION.elb.amazonaws.com`
 * (ALB, Classic) or `NAME-ID.elb.REGION.amazonaws.com` (NLB), with `dualstack.` before a
 * dual-stack one. A name cannot begin with "internal-" (CreateLoadBalancer, Name), so that prefix
 * is the scheme's. Undefined for anything else.
 */
export function nameInDnsName(dnsName: string): string | undefined {
  const host = dnsName
    .toLowerCase()
    .replace(/\.$/, "")
    .replace(/^dualstack\./, "");
  const match =
    /^(?:internal-)?([a-z0-9-]+)-[0-9a-z]+\.(?:[a-z0-9-]+\.elb|elb\.[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/.exec(
      host,
    );
  return match?.[1];
}

const sameHost = (a: string, b: string) =>
  a
    .toLowerCase()
    .replace(/\.$/, "")
    .replace(/^dualstack\./, "") ===
  b
    .toLowerCase()
    .replace(/\.$/, "")
    .replace(/^dualstack\./, "");

const NOT_FOUND_CODES = new Set([
  "LoadBalancerNotFoundException",
  "LoadBalancerNotFound",
  "TargetGroupNotFoundException",
  "TargetGroupNotFound",
]);
const isNotFound = (error: unknown) =>
  error instanceof AwsReadError && NOT_FOUND_CODES.has(error.code);

/** ELBv2 reads: balancers, listeners, rules, target groups and target health, as the domain's types. */
export class Elbv2Adapter {
  /** The request's deadline: every call is aborted when it passes (see AwsContext). */
  private readonly options: { abortSignal?: AbortSignal } | undefined;

  constructor(
    private readonly client: ElasticLoadBalancingV2Client,
    private readonly cache: TtlCache,
    /** The account and region, as this place's cache keys name them. */
    private readonly placeKey: string,
    signal?: AbortSignal,
  ) {
    this.options = signal ? { abortSignal: signal } : undefined;
  }

  /** Balancers by name; names that do not exist are left out (one call per 20 names). */
  async loadBalancersByName(names: readonly string[]): Promise<LoadBalancer[]> {
    return this.balancers("Names", names);
  }

  /** Balancers by ARN; ARNs that do not exist are left out. */
  async loadBalancersByArn(arns: readonly string[]): Promise<LoadBalancer[]> {
    return this.balancers("LoadBalancerArns", arns);
  }

  /**
   * The balancer behind an ELB DNS name (case and `dualstack.` aside), or undefined. One call for
   * the name the DNS name carries; should that balancer not own it, every balancer of the region
   * is listed (kept a minute) and matched by DNSName.
   */
  async loadBalancerByDnsName(dnsName: string): Promise<LoadBalancer | undefined> {
    const name = nameInDnsName(dnsName);
    if (name) {
      const [byName] = await this.loadBalancersByName([name]);
      if (byName && sameHost(byName.dnsName, dnsName)) return byName;
    }
    const all = await this.allLoadBalancers();
    return all.find((lb) => sameHost(lb.dnsName, dnsName));
  }

  /** Every balancer of the region (paged with Marker), kept a minute. */
  allLoadBalancers(): Promise<LoadBalancer[]> {
    return this.cache.getOrLoad(`elbv2:${this.placeKey}:lbs`, TTL.networkRules, () =>
      read("list load balancers", "DescribeLoadBalancers", async () => {
        const out: LoadBalancer[] = [];
        let Marker: string | undefined;
        do {
          const page = await this.client.send(
            new DescribeLoadBalancersCommand({ PageSize: PAGE_SIZE, Marker }),
            this.options,
          );
          out.push(...(page.LoadBalancers ?? []).map(toLoadBalancer));
          Marker = page.NextMarker;
        } while (Marker);
        return out;
      }),
    );
  }

  /** A balancer's listeners (an ALB or NLB has at most 50). */
  listeners(loadBalancerArn: string): Promise<Listener[]> {
    return this.cache.getOrLoad(
      `elbv2:${this.placeKey}:listeners:${loadBalancerArn}`,
      TTL.networkRules,
      () =>
        read(`describe the listeners of ${loadBalancerArn}`, "DescribeListeners", async () => {
          const out: Listener[] = [];
          let Marker: string | undefined;
          do {
            const page = await this.client.send(
              new DescribeListenersCommand({ LoadBalancerArn: loadBalancerArn, Marker }),
              this.options,
            );
            out.push(...(page.Listeners ?? []).map(toListener));
            Marker = page.NextMarker;
          } while (Marker);
          return out;
        }),
    );
  }

  /** A listener's rules, its default rule included (Priority "default"). */
  rules(listenerArn: string): Promise<ListenerRule[]> {
    return this.cache.getOrLoad(
      `elbv2:${this.placeKey}:rules:${listenerArn}`,
      TTL.networkRules,
      () =>
        read(`describe the rules of ${listenerArn}`, "DescribeRules", async () => {
          const out: ListenerRule[] = [];
          let Marker: string | undefined;
          do {
            const page = await this.client.send(
              new DescribeRulesCommand({ ListenerArn: listenerArn, Marker, PageSize: PAGE_SIZE }),
              this.options,
            );
            out.push(...(page.Rules ?? []).map((r) => toRule(r, listenerArn)));
            Marker = page.NextMarker;
          } while (Marker);
          return out;
        }),
    );
  }

  /** A balancer's listeners and every listener's rules: two round trips, the rules in parallel. */
  async listenersWithRules(
    loadBalancerArn: string,
  ): Promise<{ listeners: Listener[]; rules: ListenerRule[] }> {
    const listeners = await this.listeners(loadBalancerArn);
    const rules = await Promise.all(listeners.map((l) => this.rules(l.arn)));
    return { listeners, rules: rules.flat() };
  }

  /** Target groups by ARN; ARNs that do not exist are left out. */
  targetGroupsByArn(arns: readonly string[]): Promise<TargetGroup[]> {
    return this.targetGroups("TargetGroupArns", arns);
  }

  /** Target groups by name; names that do not exist are left out. */
  targetGroupsByName(names: readonly string[]): Promise<TargetGroup[]> {
    return this.targetGroups("Names", names);
  }

  /** The target groups a balancer forwards to (of any of its listeners and rules). */
  targetGroupsOfBalancer(loadBalancerArn: string): Promise<TargetGroup[]> {
    return this.cache.getOrLoad(
      `elbv2:${this.placeKey}:tgs-of:${loadBalancerArn}`,
      TTL.networkRules,
      () =>
        read(
          `describe the target groups of ${loadBalancerArn}`,
          "DescribeTargetGroups",
          async () => {
            const out: TargetGroup[] = [];
            let Marker: string | undefined;
            do {
              const page = await this.client.send(
                new DescribeTargetGroupsCommand({
                  LoadBalancerArn: loadBalancerArn,
                  Marker,
                  PageSize: PAGE_SIZE,
                }),
                this.options,
              );
              out.push(...(page.TargetGroups ?? []).map(toTargetGroup));
              Marker = page.NextMarker;
            } while (Marker);
            return out;
          },
        ),
    );
  }

  /**
   * Target health of each target group, one DescribeTargetHealth per group (the API takes one),
   * at most 8 in flight, each kept 5 seconds. A group whose read failed is UNKNOWN with its error
   * (see TargetGroupHealth), so a caller can never take a denied read for "no targets".
   */
  async targetHealth(targetGroupArns: readonly string[]): Promise<TargetGroupHealth[]> {
    const unique = [...new Set(targetGroupArns)];
    const out: TargetGroupHealth[] = [];
    for (const wave of chunk(unique, TARGET_HEALTH_IN_FLIGHT)) {
      out.push(...(await Promise.all(wave.map((arn) => this.healthOf(arn)))));
    }
    return out;
  }

  /**
   * An NLB target group's preserve_client_ip.enabled (DescribeTargetGroupAttributes), or
   * undefined when the group has no such attribute (an ALB's).
   */
  preserveClientIp(targetGroupArn: string): Promise<boolean | undefined> {
    return this.cache.getOrLoad(
      `elbv2:${this.placeKey}:tg-attributes:${targetGroupArn}`,
      TTL.networkRules,
      () =>
        read(
          `describe the attributes of ${targetGroupArn}`,
          "DescribeTargetGroupAttributes",
          async () => {
            const out = await this.client.send(
              new DescribeTargetGroupAttributesCommand({ TargetGroupArn: targetGroupArn }),
              this.options,
            );
            const value = out.Attributes?.find(
              (a) => a.Key === "preserve_client_ip.enabled",
            )?.Value;
            return value === undefined ? undefined : value === "true";
          },
        ),
    );
  }

  private async healthOf(arn: string): Promise<TargetGroupHealth> {
    try {
      const targets = await this.cache.getOrLoad(
        `elbv2:${this.placeKey}:health:${arn}`,
        TARGET_HEALTH_TTL_MS,
        () =>
          read(`describe the target health of ${arn}`, "DescribeTargetHealth", async () => {
            const out = await this.client.send(
              new DescribeTargetHealthCommand({ TargetGroupArn: arn }),
              this.options,
            );
            return (out.TargetHealthDescriptions ?? []).map((d) => toTargetHealth(d, arn));
          }),
      );
      return { targetGroupArn: arn, known: true, targets };
    } catch (error) {
      if (!(error instanceof AwsReadError)) throw error;
      return {
        targetGroupArn: arn,
        known: false,
        error,
        ...(isNotFound(error) ? { gone: true } : {}),
      };
    }
  }

  /**
   * Balancers by names or ARNs, 20 per call, each call kept a minute. One unknown name fails its
   * whole call (LoadBalancerNotFound): that call's names are then asked one by one, in parallel,
   * so the others are still found.
   */
  private async balancers(
    by: "Names" | "LoadBalancerArns",
    keys: readonly string[],
  ): Promise<LoadBalancer[]> {
    const found = await Promise.all(
      chunk([...new Set(keys)].sort(), NAMES_PER_CALL).map((batch) =>
        this.lookUp(batch, (one) =>
          this.cache.getOrLoad(
            `elbv2:${this.placeKey}:lb:${by}:${one.join(",")}`,
            TTL.networkRules,
            () =>
              read(
                `describe load balancers ${one.join(", ")}`,
                "DescribeLoadBalancers",
                async () => {
                  const out = await this.client.send(
                    new DescribeLoadBalancersCommand({ [by]: one }),
                    this.options,
                  );
                  return (out.LoadBalancers ?? []).map(toLoadBalancer);
                },
              ),
          ),
        ),
      ),
    );
    return found.flat();
  }

  private async targetGroups(
    by: "Names" | "TargetGroupArns",
    keys: readonly string[],
  ): Promise<TargetGroup[]> {
    const found = await Promise.all(
      chunk([...new Set(keys)].sort(), NAMES_PER_CALL).map((batch) =>
        this.lookUp(batch, (one) =>
          this.cache.getOrLoad(
            `elbv2:${this.placeKey}:tg:${by}:${one.join(",")}`,
            TTL.networkRules,
            () =>
              read(`describe target groups ${one.join(", ")}`, "DescribeTargetGroups", async () => {
                const out = await this.client.send(
                  new DescribeTargetGroupsCommand({ [by]: one }),
                  this.options,
                );
                return (out.TargetGroups ?? []).map(toTargetGroup);
              }),
          ),
        ),
      ),
    );
    return found.flat();
  }

  /** One batch; on not-found, each of its keys alone (a lone unknown key: nothing). */
  private async lookUp<T>(batch: string[], call: (keys: string[]) => Promise<T[]>): Promise<T[]> {
    try {
      return await call(batch);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      if (batch.length === 1) return [];
      const each = await Promise.all(batch.map((key) => this.lookUp([key], call)));
      return each.flat();
    }
  }
}
