import {
  AccessDeniedException,
  DescribeServicesCommand,
  ECSServiceException,
  ListServicesCommand,
} from "@aws-sdk/client-ecs";
import { GetHostedZoneCommand } from "@aws-sdk/client-route-53";
import { DiscoverInstancesCommand, RequestLimitExceeded } from "@aws-sdk/client-servicediscovery";
import { describe, expect, it } from "vitest";
import { clients, withEmulator } from "./support.ts";

describe("AWS emulator throttling", () => {
  it("surfaces ECS throttling as the SDK's ThrottlingException", async () => {
    await withEmulator({ throttleRate: 1 }, async (emu) => {
      const { ecs } = clients(emu, 1);

      const error = await ecs
        .send(new ListServicesCommand({ cluster: "tutorial" }))
        .catch((e: unknown) => e);

      expect(error).toBeInstanceOf(ECSServiceException);
      expect(error).toMatchObject({ name: "ThrottlingException", message: "Rate exceeded" });
      expect(emu.stats()).toMatchObject({ total: 1, throttled: 1 });
    });
  });

  it("throttles Cloud Map with RequestLimitExceeded and Route 53 with Throttling", async () => {
    await withEmulator({ throttleRate: 1 }, async (emu) => {
      const { cloudMap, route53 } = clients(emu, 1);

      const [discover, zone] = await Promise.allSettled([
        cloudMap.send(
          new DiscoverInstancesCommand({ NamespaceName: "internal.local", ServiceName: "api" }),
        ),
        route53.send(new GetHostedZoneCommand({ Id: "Z0EXAMPLE1INTERNAL0LCL" })),
      ]);

      expect(discover).toMatchObject({
        status: "rejected",
        reason: expect.any(RequestLimitExceeded),
      });
      expect(zone).toMatchObject({
        status: "rejected",
        reason: expect.objectContaining({ name: "Throttling", message: "Rate exceeded" }),
      });
    });
  });

  it("lets the SDK retry through throttling when only some operations are throttled", async () => {
    await withEmulator(
      { throttleRate: 1, throttleOperations: ["ECS.ListServices"] },
      async (emu) => {
        const { ecs } = clients(emu, 2);

        await expect(
          ecs.send(new ListServicesCommand({ cluster: "tutorial" })),
        ).rejects.toMatchObject({
          name: "ThrottlingException",
        });
        const described = await ecs.send(
          new DescribeServicesCommand({ cluster: "tutorial", services: ["web-frontend"] }),
        );

        expect(described.services).toHaveLength(1);
        expect(emu.stats().calls).toEqual({ "ECS.ListServices": 2, "ECS.DescribeServices": 1 });
      },
    );
  });

  it("throttles by rate, as AWS does: a burst past an operation's rate is refused, the next second is not", async () => {
    // The buckets' own clock: a loaded machine spreading the burst over 300 ms would refill 6 tokens.
    let now = 0;
    const clock = () => now;
    await withEmulator({ rateLimits: { "ECS.DescribeServices": 20 }, clock }, async (emu) => {
      const { ecs } = clients(emu, 1);
      const describe = () =>
        ecs
          .send(new DescribeServicesCommand({ cluster: "tutorial", services: ["web-frontend"] }))
          .then(
            () => "ok",
            (e: { name?: string }) => e.name,
          );

      const burst = await Promise.all(Array.from({ length: 30 }, describe));
      const others = await ecs.send(new ListServicesCommand({ cluster: "tutorial" }));
      now += 1_000;
      const later = await Promise.all(Array.from({ length: 10 }, describe));

      // 20 tokens, plus what refills while the burst arrives (0.02 per millisecond).
      const ok = burst.filter((r) => r === "ok").length;
      expect(ok).toBeGreaterThanOrEqual(20);
      expect(ok).toBeLessThanOrEqual(22);
      expect(burst.filter((r) => r === "ThrottlingException")).toHaveLength(30 - ok);
      expect(others.serviceArns?.length).toBeGreaterThan(0);
      expect(later.every((r) => r === "ok")).toBe(true);
      expect(emu.stats().throttled).toBe(30 - ok);
    });
  });

  it("throttles the same requests for the same seed", async () => {
    const outcomes = async (seed: number) =>
      withEmulator({ throttleRate: 0.5, seed }, async (emu) => {
        const { ecs } = clients(emu, 1);
        const results: boolean[] = [];
        for (let i = 0; i < 12; i++) {
          const ok = await ecs.send(new ListServicesCommand({ cluster: "tutorial" })).then(
            () => true,
            () => false,
          );
          results.push(ok);
        }
        return results;
      });

    const first = await outcomes(7);

    expect(await outcomes(7)).toEqual(first);
    expect(first).toContain(true);
    expect(first).toContain(false);
  });
});

describe("AWS emulator access denied", () => {
  it("answers denied operations with each service's access-denied error", async () => {
    await withEmulator(
      { denyOperations: ["ECS.DescribeServices", "DiscoverInstances", "Route53.GetHostedZone"] },
      async (emu) => {
        const { ecs, cloudMap, route53 } = clients(emu, 1);

        const [services, discover, zone, list] = await Promise.allSettled([
          ecs.send(
            new DescribeServicesCommand({ cluster: "tutorial", services: ["web-frontend"] }),
          ),
          cloudMap.send(
            new DiscoverInstancesCommand({
              NamespaceName: "service-connect",
              ServiceName: "nginx",
            }),
          ),
          route53.send(new GetHostedZoneCommand({ Id: "Z0EXAMPLE1INTERNAL0LCL" })),
          ecs.send(new ListServicesCommand({ cluster: "tutorial" })),
        ]);

        const reason = (r: PromiseSettledResult<unknown>) =>
          r.status === "rejected" ? (r.reason as Error) : undefined;
        expect(reason(services)).toBeInstanceOf(AccessDeniedException);
        expect(reason(services)).toMatchObject({
          $metadata: { httpStatusCode: 403 },
          message: expect.stringContaining("is not authorized to perform: ecs:DescribeServices"),
        });
        expect(reason(discover)).toMatchObject({ name: "AccessDeniedException" });
        expect(reason(zone)).toMatchObject({
          name: "AccessDenied",
          $metadata: { httpStatusCode: 403 },
        });
        expect(list.status).toBe("fulfilled");
        expect(emu.stats()).toMatchObject({ total: 4, denied: 3, throttled: 0 });

        emu.setDenied(["ListServices"]);
        await expect(
          ecs.send(
            new DescribeServicesCommand({ cluster: "tutorial", services: ["web-frontend"] }),
          ),
        ).resolves.toMatchObject({ failures: [] });
        await expect(
          ecs.send(new ListServicesCommand({ cluster: "tutorial" })),
        ).rejects.toBeInstanceOf(AccessDeniedException);
      },
    );
  });
});
