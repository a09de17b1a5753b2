// Accounts and regions: which fleet a signed request reads. The bot's own credentials read its own
// fleet; credentials issued by STS AssumeRole read the role's account; the region is the one of
// the signature's credential scope. An account and region with no fleet is empty, as AWS answers.

import type { IncomingMessage } from "node:http";
import type { Ec2Operation } from "./ec2.ts";
import type { ElbOperation } from "./elbv2.ts";
import type { Fleet } from "./fleet/types.ts";
import { credentialScope } from "./protocols/signature.ts";
import { CredentialIssuer } from "./sts.ts";
import { AwsError, type Operation } from "./wire.ts";

/** What one fleet answers: the JSON operations by X-Amz-Target prefix, the EC2 and ELBv2 actions. */
export interface ServiceOperations {
  json: Record<string, Record<string, Operation>>;
  ec2: Record<string, Ec2Operation>;
  elbv2: Record<string, ElbOperation>;
}

export class Accounts {
  readonly issuer: CredentialIssuer;
  /** The region a request must be signed for: any, once other fleets exist. */
  readonly signedRegion: string | undefined;
  /** The bot's own fleet first, then the other accounts' and regions'. */
  private readonly fleets: Fleet[];
  private readonly empty = new Map<string, Fleet>();
  private readonly perFleet = new Map<Fleet, ServiceOperations>();

  constructor(
    own: Fleet,
    others: readonly Fleet[],
    now: () => number,
    private readonly build: (fleet: Fleet) => ServiceOperations,
  ) {
    this.fleets = [own, ...others];
    this.issuer = new CredentialIssuer(now);
    this.signedRegion = this.fleets.length > 1 ? undefined : own.region;
  }

  /** The bot's own fleet. */
  get own(): Fleet {
    return this.fleets[0] as Fleet;
  }

  /** Serves `next` as the bot's own fleet (property tests ask many fleets of one emulator). */
  setOwn(next: Fleet): void {
    this.perFleet.delete(this.own);
    this.fleets[0] = next;
  }

  /** The operations over `fleet`, built once per fleet. */
  operationsFor(fleet: Fleet): ServiceOperations {
    let ops = this.perFleet.get(fleet);
    if (!ops) {
      ops = this.build(fleet);
      this.perFleet.set(fleet, ops);
    }
    return ops;
  }

  /**
   * The fleet a signed request reads, or the AwsError its credentials get (expired). `global`:
   * a global service (Route 53), read in any region.
   */
  fleetOrError(req: IncomingMessage, global = false): Fleet | AwsError {
    try {
      const scope = credentialScope(req);
      const account = this.issuer.accountOf(scope?.accessKeyId ?? "") ?? this.own.accountId;
      return this.fleetIn(account, global ? undefined : (scope?.region ?? this.own.region));
    } catch (error) {
      if (error instanceof AwsError) return error;
      throw error;
    }
  }

  /** An account and region without a fleet: every list empty, as a fresh account answers. */
  private fleetIn(account: string, region: string | undefined): Fleet {
    const found = this.fleets.find(
      (f) => f.accountId === account && (region === undefined || f.region === region),
    );
    if (found) return found;
    const key = `${account}:${region}`;
    const none: Fleet = this.empty.get(key) ?? {
      region: region ?? this.own.region,
      accountId: account,
      clusters: [],
      services: [],
      tasks: [],
      taskDefinitions: [],
      namespaces: [],
      cloudMapServices: [],
      instances: [],
      hostedZones: [],
    };
    this.empty.set(key, none);
    return none;
  }
}
