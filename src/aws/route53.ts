import { GetHostedZoneCommand, type Route53Client } from "@aws-sdk/client-route-53";
import { TTL, type TtlCache } from "./cache.ts";
import { read } from "./errors.ts";

export interface HostedZoneVpc {
  vpcId: string;
  region: string;
}

/** Which VPCs can resolve a private DNS namespace: the VPCs its hosted zone is attached to. */
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
}
