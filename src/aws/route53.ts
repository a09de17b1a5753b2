import {
  GetHostedZoneCommand,
  ListHostedZonesByNameCommand,
  ListResourceRecordSetsCommand,
  type Route53Client,
} from "@aws-sdk/client-route-53";
import { TTL, type TtlCache } from "./cache.ts";
import { read } from "./errors.ts";

export interface HostedZoneVpc {
  vpcId: string;
  region: string;
}

/** A hosted zone found by its name. */
export interface HostedZoneRef {
  id: string;
  /** Without the trailing dot, lower case. */
  name: string;
  privateZone: boolean;
}

/** An alias record: the DNS name it points at (a load balancer's, for instance). */
export interface AliasRecord {
  name: string;
  type: string;
  /** Without the trailing dot. */
  dnsName: string;
  hostedZoneId: string;
}

const bare = (name: string) => name.toLowerCase().replace(/\.$/, "");

/**
 * Which VPCs can resolve a private DNS namespace (the VPCs its hosted zone is attached to), and
 * the alias records of a name in the account's hosted zones.
 */
export class Route53Adapter {
  private readonly options: { abortSignal?: AbortSignal } | undefined;

  constructor(
    private readonly client: Route53Client,
    private readonly cache: TtlCache,
    /** The request's deadline (see AwsContext). */
    signal?: AbortSignal,
  ) {
    this.options = signal ? { abortSignal: signal } : undefined;
  }

  hostedZoneVpcs(hostedZoneId: string): Promise<HostedZoneVpc[]> {
    return this.cache.getOrLoad(`r53:zone:${hostedZoneId}`, TTL.topology, () =>
      read(`get hosted zone ${hostedZoneId}`, "GetHostedZone", async () => {
        const out = await this.client.send(
          new GetHostedZoneCommand({ Id: hostedZoneId }),
          this.options,
        );
        return (out.VPCs ?? []).map((v) => ({ vpcId: v.VPCId ?? "", region: v.VPCRegion ?? "" }));
      }),
    );
  }

  /**
   * The account's hosted zones named exactly `zoneName` (a public and a private one may share
   * it): ListHostedZonesByName from that name on, one page of 5, kept like the topology.
   */
  zonesNamed(zoneName: string): Promise<HostedZoneRef[]> {
    const wanted = bare(zoneName);
    return this.cache.getOrLoad(`r53:zones-named:${wanted}`, TTL.topology, () =>
      read(`list the hosted zones named ${wanted}`, "ListHostedZonesByName", async () => {
        const out = await this.client.send(
          new ListHostedZonesByNameCommand({ DNSName: wanted, MaxItems: 5 }),
          this.options,
        );
        return (out.HostedZones ?? [])
          .filter((z) => bare(z.Name ?? "") === wanted)
          .map((z) => ({
            id: (z.Id ?? "").replace(/^\/hostedzone\//, ""),
            name: wanted,
            privateZone: z.Config?.PrivateZone === true,
          }));
      }),
    );
  }

  /** The alias records of exactly `name` in one zone (ListResourceRecordSets from that name). */
  aliasRecords(hostedZoneId: string, name: string): Promise<AliasRecord[]> {
    const wanted = bare(name);
    return this.cache.getOrLoad(`r53:alias:${hostedZoneId}:${wanted}`, TTL.topology, () =>
      read(
        `list the records of ${wanted} in ${hostedZoneId}`,
        "ListResourceRecordSets",
        async () => {
          const out = await this.client.send(
            new ListResourceRecordSetsCommand({
              HostedZoneId: hostedZoneId,
              StartRecordName: wanted,
              MaxItems: 10,
            }),
            this.options,
          );
          return (out.ResourceRecordSets ?? []).flatMap((r) =>
            bare(r.Name ?? "") === wanted && r.AliasTarget?.DNSName
              ? [
                  {
                    name: wanted,
                    type: r.Type ?? "",
                    dnsName: bare(r.AliasTarget.DNSName),
                    hostedZoneId: r.AliasTarget.HostedZoneId ?? "",
                  },
                ]
              : [],
          );
        },
      ),
    );
  }
}
