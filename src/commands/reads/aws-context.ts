import { type AddressBook, addressBook } from "../../aws/address-book.ts";
import { TtlCache } from "../../aws/cache.ts";
import { awsClients, type Pace, type ReadMode } from "../../aws/clients.ts";
import { CloudMapAdapter } from "../../aws/cloud-map.ts";
import { CloudWatchAdapter } from "../../aws/cloudwatch.ts";
import { Ec2Adapter } from "../../aws/ec2.ts";
import { EcsAdapter } from "../../aws/ecs.ts";
import { Elbv2Adapter } from "../../aws/elbv2.ts";
import { AwsReadError } from "../../aws/errors.ts";
import { LambdaConfigAdapter } from "../../aws/lambda-config.ts";
import { Route53Adapter } from "../../aws/route53.ts";
import { Route53ProfilesAdapter } from "../../aws/route53-profiles.ts";
import { Route53ResolverAdapter } from "../../aws/route53-resolver.ts";
import type { Gap } from "../../domain/facts.ts";
import type { Known } from "../../domain/known.ts";
import type { Place } from "../../domain/places.ts";

/** The adapters one command needs, for one place (an account and a region). */
export interface AwsContext {
  region: string;
  /** The account and region read, as configured (BOT_TARGETS); the region alone by default. */
  place: Place;
  /** Keys this place's cache entries: the same cluster name in two accounts is two clusters. */
  scope: string;
  ecs: EcsAdapter;
  cloudMap: CloudMapAdapter;
  route53: Route53Adapter;
  cloudWatch: CloudWatchAdapter;
  ec2: Ec2Adapter;
  /** Application and Network Load Balancers, their target groups and target health. */
  elbv2: Elbv2Adapter;
  lambda: LambdaConfigAdapter;
  /** /ecs why for a private DNS name: what else answers DNS in the client's VPC. */
  resolver: Route53ResolverAdapter;
  profiles: Route53ProfilesAdapter;
  /** Which tasks held an address, from ECS's events (the bot's own table); none unconfigured. */
  addresses: AddressBook | undefined;
  cache: TtlCache;
  /** The deadline every call of this context is aborted at, if any. */
  signal?: AbortSignal;
  /** How its reads wait on throttling (see Pace). */
  pace: Pace;
  /** One answer's bounded reads, or a digest's whole scope at one instant (see ReadMode). */
  readMode: ReadMode;
}

// One cache per process: it outlives the request, which is the point on a warm Lambda.
const sharedCache = new TtlCache();

/**
 * The adapters of one region. With a signal (a deadline), every AWS call of the request is aborted
 * when it fires: what was not read by then becomes a gap ("did not answer in time"), and the
 * answer says what it skipped instead of running into the Lambda timeout.
 */
export function awsContext(
  where: string | Place,
  cache: TtlCache = sharedCache,
  signal?: AbortSignal,
  pace: Pace = "interactive",
  /** See awsClients: the benchmark plays each digest part's own Lambda with its own clients. */
  clientGroup = "",
  readMode: ReadMode = "request",
): AwsContext {
  const place: Place = typeof where === "string" ? { label: where, region: where } : where;
  const { region } = place;
  const scope = place.account ? `${place.account}:${region}` : region;
  const clients = awsClients(region, pace, clientGroup, place.roleArn);
  return {
    region,
    place,
    scope,
    cache,
    pace,
    readMode,
    ecs: new EcsAdapter(clients.ecs, cache, scope, signal, place.clusters, readMode),
    cloudMap: new CloudMapAdapter(
      clients.cloudMap,
      cache,
      scope,
      signal,
      place.namespaces,
      readMode,
    ),
    route53: new Route53Adapter(clients.route53, cache, signal),
    cloudWatch: new CloudWatchAdapter(clients.cloudWatch, cache, signal, scope),
    ec2: new Ec2Adapter(clients.ec2, cache, scope, signal),
    elbv2: new Elbv2Adapter(clients.elbv2, cache, scope, signal),
    lambda: new LambdaConfigAdapter(clients.lambda, cache, scope, signal),
    resolver: new Route53ResolverAdapter(clients.route53Resolver, cache, scope, signal),
    profiles: new Route53ProfilesAdapter(clients.route53Profiles, cache, scope, signal),
    addresses: addressBook(),
    signal,
  };
}

/**
 * The same place and deadline reading a whole scope at one instant (a digest): read mode
 * "scope", over a cache of its own (on the process-wide one) where each service is read once
 * however many judgements look at it.
 */
export function snapshotContext(ctx: AwsContext): AwsContext {
  const cache = TtlCache.snapshotOver(ctx.cache);
  return awsContext(ctx.place, cache, ctx.signal, ctx.pace, "", "scope");
}

export function clearSharedCache(): void {
  sharedCache.clear();
}

/** Before new work in a container that may have abandoned some (see TtlCache.dropPending). */
export function dropPendingLoads(): void {
  sharedCache.dropPending();
}

/**
 * Collects what could not be read. A failed read becomes a gap in the answer, not a failed
 * answer; anything that is not an AWS failure is a bug and is rethrown.
 */
export class Gaps {
  readonly list: Gap[] = [];

  async soft<T>(
    what: string,
    work: Promise<T>,
    fallback: T,
    /** The part of a digest's scope the failure leaves unread, if any. */
    scopePart?: Gap["scopePart"],
  ): Promise<T> {
    try {
      return await work;
    } catch (error) {
      if (!(error instanceof AwsReadError)) throw error;
      this.add(what, error, scopePart);
      return fallback;
    }
  }

  add(what: string, error: AwsReadError, scopePart?: Gap["scopePart"]): void {
    this.push({
      what,
      why: error.reason,
      cause: error.brief,
      ...(error.kind === "not-found" ? { absent: true } : {}),
      ...(scopePart ? { scopePart } : {}),
    });
  }

  /** Takes in another collector's gaps (one target's, into the whole answer's). */
  merge(other: Gaps): void {
    for (const gap of other.list) this.push(gap);
  }

  private push(gap: Gap): void {
    if (!this.list.some((g) => g.what === gap.what)) this.list.push(gap);
  }
}

/** A read as Known, its failure also a gap of the answer (what could not be read, and why). */
export async function known<T>(
  gaps: Gaps | undefined,
  what: string,
  work: Promise<T>,
): Promise<Known<T>> {
  try {
    return { known: true, value: await work };
  } catch (error) {
    if (!(error instanceof AwsReadError)) throw error;
    gaps?.add(what, error);
    return { known: false, why: error.reason };
  }
}
