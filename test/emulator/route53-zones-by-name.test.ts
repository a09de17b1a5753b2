import { ListHostedZonesByNameCommand, Route53Client } from "@aws-sdk/client-route-53";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useEmulatedAws } from "../support/emulated-aws.ts";

// ListHostedZonesByName (Route 53 API Reference): zones in order of their names with the labels
// reversed, from DNSName on, MaxItems of them, NextDNSName and NextHostedZoneId when truncated.
describe("the emulator's ListHostedZonesByName", () => {
  let aws: Awaited<ReturnType<typeof useEmulatedAws>> | undefined;
  beforeAll(async () => {
    aws = await useEmulatedAws();
  });
  afterAll(async () => {
    await aws?.stop();
  });

  it("lists the zones from the name asked on, the private zone shop.internal first", async () => {
    const route53 = new Route53Client({ region: "ap-northeast-1" });
    const out = await route53.send(
      new ListHostedZonesByNameCommand({ DNSName: "shop.internal", MaxItems: 1 }),
    );

    expect(out.HostedZones?.map((z) => [z.Id, z.Name, z.Config?.PrivateZone])).toEqual([
      ["/hostedzone/Z0EXAMPLE2SHOP0INTERNAL", "shop.internal.", true],
    ]);
    expect(out.DNSName).toBe("shop.internal");
  });
});
