import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadDemoFleet } from "../../../emulator/fleet/demo.ts";
import { generateFleet } from "../../../emulator/fleet/generate.ts";
import { relocateFleet } from "../../../emulator/fleet/relocate.ts";
import { awsContext } from "../../../src/commands/reads/aws-context.ts";
import { runEcsCommand } from "../../../src/commands/router.ts";
import { parsePlaces } from "../../../src/domain/places.ts";
import { useEmulatedAws } from "../../support/emulated-aws.ts";

// Console links of answers read in several accounts: the console cannot switch accounts from a
// URL, so a link to a member account's page names the account it opens.

const PROD_US = "arn:aws:iam::210987654321:role/ecs-chatops-read";
const parsed = parsePlaces(
  JSON.stringify([
    { name: "tokyo", region: "ap-northeast-1" },
    { name: "prod-us", account: PROD_US, region: "us-east-1" },
  ]),
);
if (!parsed.ok) throw new Error(parsed.errors.join("; "));
const places = parsed.places;

let aws: Awaited<ReturnType<typeof useEmulatedAws>>;
beforeAll(async () => {
  aws = await useEmulatedAws(loadDemoFleet(), 0, {
    otherFleets: [relocateFleet(generateFleet({ services: 20 }), "210987654321", "us-east-1")],
  });
});
afterAll(async () => {
  await aws.stop();
});

const consoleOf = async (text: string) =>
  (await runEcsCommand(text, () => places.map((p) => awsContext(p)))).doc.console ?? [];

describe("console links across accounts", () => {
  it("names the member account on every link of an answer found only there", async () => {
    const links = await consoleOf("whois orders-api.mesh");

    expect(links[0]?.label).toBe("Service orders-api (account 210987654321)");
    expect(links[0]?.url).toMatch(/^https:\/\/us-east-1\.console\.aws\.amazon\.com\/ecs\/v2\//);
    expect(links.every((l) => l.label.endsWith("(account 210987654321)"))).toBe(true);
  });

  it("keeps each place's links, with its account and region, when the name is found in both", async () => {
    const labels = (await consoleOf("whois nginx.service-connect")).map((l) => l.label);

    expect(labels).toContain("Service service-connect-nginx-service (ap-northeast-1)");
    expect(labels).toContain(
      "Service service-connect-nginx-service (account 210987654321, us-east-1)",
    );
  });
});
