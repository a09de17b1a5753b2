import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadDemoFleet } from "../../../emulator/fleet/demo.ts";
import { generateFleet } from "../../../emulator/fleet/generate.ts";
import { relocateFleet } from "../../../emulator/fleet/relocate.ts";
import { awsContext, clearSharedCache } from "../../../src/commands/reads/aws-context.ts";
import { runEcsCommand } from "../../../src/commands/router.ts";
import { type Place, parsePlaces } from "../../../src/domain/places.ts";
import { renderText } from "../../../src/render/text.ts";
import { useEmulatedAws } from "../../support/emulated-aws.ts";

// Several accounts and regions (BOT_TARGETS) end to end: the real SDK clients, STS AssumeRole
// through the SDK's credential provider, and the emulator serving one fleet per account.

const PROD_US = "arn:aws:iam::210987654321:role/ecs-chatops-read";
const SANDBOX = "arn:aws:iam::333333333333:role/ecs-chatops-read";
const parsed = parsePlaces(
  JSON.stringify([
    { name: "tokyo", region: "ap-northeast-1" },
    { name: "prod-us", account: PROD_US, region: "us-east-1" },
    { name: "sandbox", account: SANDBOX, region: "eu-west-1" },
  ]),
);
if (!parsed.ok) throw new Error(parsed.errors.join("; "));
const places: Place[] = parsed.places;

let aws: Awaited<ReturnType<typeof useEmulatedAws>>;
const ask = async (text: string) => {
  const output = await runEcsCommand(text, () => places.map((p) => awsContext(p)));
  return { ...output, text: renderText(output.doc) };
};

beforeAll(async () => {
  aws = await useEmulatedAws(loadDemoFleet(), 0, {
    // The member account runs the same stack as this one, plus 20 services of its own.
    otherFleets: [relocateFleet(generateFleet({ services: 20 }), "210987654321", "us-east-1")],
    // The sandbox role does not trust the bot.
    denyOperations: [`STS.AssumeRole:${SANDBOX}`],
  });
});
afterAll(async () => {
  await aws.stop();
});
beforeEach(() => {
  clearSharedCache();
  aws.emulator.resetStats();
  aws.emulator.setDenied([`STS.AssumeRole:${SANDBOX}`]);
});

describe("/ecs whois across accounts and regions", () => {
  it("finds a name only a member account publishes, says where, and names the account it could not read", async () => {
    const { text, foundIn } = await ask("whois orders-api.mesh");

    expect(text).toContain(
      "Found in prod-us (210987654321) us-east-1 (looked in tokyo ap-northeast-1, prod-us (210987654321) us-east-1, sandbox (333333333333) eu-west-1).",
    );
    expect(text).toContain("orders-api.mesh → Service Connect alias of prod-core/orders-api");
    expect(text).toMatch(/healthy 10\.0\.\d+\.\d+:8080 us-east-1a/);
    expect(text).toContain(
      `could not read everything in sandbox (333333333333) eu-west-1 (nothing there was read): the bot's IAM role may not call sts:AssumeRole on ${SANDBOX} (AccessDenied)`,
    );
    expect(foundIn).toEqual(["prod-us (210987654321) us-east-1"]);
    // One AssumeRole per role; the denied one is not retried.
    const assumed = aws.emulator.requests.filter((r) => r.operation === "AssumeRole");
    expect(assumed.map((r) => (r.body as { RoleArn: string }).RoleArn).sort()).toEqual([
      PROD_US,
      SANDBOX,
    ]);
  });

  it("answers a name published in two accounts with one part per account, each with its own endpoints", async () => {
    const { text } = await ask("whois nginx.service-connect");
    const tokyo = text.indexOf("In tokyo ap-northeast-1:");
    const us = text.indexOf("In prod-us (210987654321) us-east-1:");

    expect(tokyo).toBeGreaterThanOrEqual(0);
    expect(us).toBeGreaterThan(tokyo);
    // The same cluster and service names in two accounts are two services, never one cache entry.
    expect(text.slice(tokyo, us)).toContain("10.0.1.23:80 ap-northeast-1a");
    expect(text.slice(tokyo, us)).not.toContain("us-east-1a");
    expect(text.slice(us)).toContain("10.0.1.23:80 us-east-1a");
    expect(text.slice(us)).not.toContain("ap-northeast-1a");
  });

  it("says what each place searched when nothing is found, and that the unreadable one was not searched", async () => {
    const { text } = await ask("whois nosuch.mesh");

    expect(text).toContain("Not found, but the search was incomplete: nosuch.mesh");
    expect(text).toContain(
      "• tokyo ap-northeast-1: namespaces internal.local, service-connect, staging; clusters ecs_service_discovery, staging, tutorial.",
    );
    expect(text).toMatch(/• prod-us \(210987654321\) us-east-1: namespaces [^\n]*mesh/);
    expect(text).toContain(
      "• sandbox (333333333333) eu-west-1: not searched (nothing could be read there, see below).",
    );
  });

  it("says for an IP, place by place, whose interface holds it there", async () => {
    const { text } = await ask("whois 10.0.11.5");

    expect(text).toContain(
      "• tokyo ap-northeast-1:\n  10.0.11.5 is ENI eni-0d0ffee0000011a05 of Lambda function order-webhook, not an ECS task",
    );
    expect(text).toContain("• sandbox (333333333333) eu-west-1: not searched");
  });

  it("keeps a place's failed read to that place: the answer from the others stands, the gap names the place", async () => {
    aws.emulator.setDenied(["210987654321/ECS.ListClusters", `STS.AssumeRole:${SANDBOX}`]);

    const { text } = await ask("whois web-frontend");

    expect(text).toContain("Found in tokyo ap-northeast-1");
    expect(text).toContain(
      "prod-us (210987654321) us-east-1: the ECS clusters: the bot's IAM role may not call ListClusters (AccessDeniedException)",
    );
  });

  it("assumes each role once and reuses its credentials for every client and command until they near expiry", async () => {
    await ask("whois orders-api.mesh");
    await ask("health orders-api.mesh");
    await ask("traffic orders-api.mesh");

    const assumed = aws.emulator.requests.filter(
      (r) => r.operation === "AssumeRole" && (r.body as { RoleArn: string }).RoleArn === PROD_US,
    );
    expect(assumed).toHaveLength(0); // assumed by an earlier test of this file, still valid
    const prodCalls = aws.emulator.requests.filter((r) => r.service === "ECS").length;
    expect(prodCalls).toBeGreaterThan(0);
  });

  it("judges health in the account where the name is, with the other places' gaps", async () => {
    const { text } = await ask("health orders-api.mesh");

    expect(text).toContain("Found in prod-us (210987654321) us-east-1");
    expect(text.split("\n")[2]).toMatch(/orders-api/);
    expect(text).toContain("everything in sandbox (333333333333) eu-west-1");
  });
});

describe("/ecs why across accounts and regions", () => {
  it("lists an ambiguous client found in one place, never answering 'not found' from the others", async () => {
    const { text } = await ask("why web-frontend nginx.service-connect");

    expect(text).toContain("web-frontend matches 2 clients");
    expect(text).toContain("/ecs why tutorial/web-frontend nginx.service-connect");
    expect(text).not.toContain("Client not found");
  });
});

describe("BOT_TARGETS narrowing", () => {
  it("searches only the listed clusters of a place, without listing clusters", async () => {
    const only = parsePlaces(
      JSON.stringify([
        { name: "prod-us", account: PROD_US, region: "us-east-1", clusters: ["prod-core"] },
      ]),
    );
    if (!only.ok) throw new Error(only.errors.join("; "));

    const output = await runEcsCommand("whois web-frontend", () =>
      only.places.map((p) => awsContext(p)),
    );
    const text = renderText(output.doc);

    expect(text).toContain("Not found");
    expect(text).toContain("clusters prod-core; load balancers and target groups by name.");
    expect(aws.emulator.stats().calls["ECS.ListClusters"]).toBeUndefined();
  });
});
