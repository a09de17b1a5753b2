import { afterEach, describe, expect, it } from "vitest";
import { loadDemoFleet } from "../../emulator/fleet/demo.ts";
import type { Fleet } from "../../emulator/fleet/types.ts";
import { awsContext } from "../../src/commands/reads/aws-context.ts";
import { runEcsCommand } from "../../src/commands/router.ts";
import { renderText } from "../../src/render/text.ts";
import { useEmulatedAws } from "../support/emulated-aws.ts";

// `/ecs help` shows examples a user can type on their own fleet, for one cached read: never the
// demo fleet's names where they do not exist (issue 22, "help that teaches").

let aws: Awaited<ReturnType<typeof useEmulatedAws>> | undefined;
afterEach(async () => {
  await aws?.stop();
  aws = undefined;
});

const DEMO_NAMES = ["nginx.service-connect", "api.internal.local", "tutorial/"];

async function helpOn(fleet: Fleet, text = "help", deny: string[] = []) {
  aws ??= await useEmulatedAws(fleet, 0, { denyOperations: deny });
  const before = aws.emulator.stats().total;
  const out = await runEcsCommand(text, () => awsContext("ap-northeast-1"));
  return { text: renderText(out.doc), calls: aws.emulator.stats().total - before };
}

/** The demo fleet with its namespaces renamed, as someone else's fleet would name them. */
function anotherFleet(): Fleet {
  const fleet = loadDemoFleet();
  for (const ns of fleet.namespaces) ns.Name = `payments-${ns.Name.replace(/\./g, "-")}`;
  return fleet;
}

describe("/ecs help", () => {
  it("gives examples in the user's own namespace, for one AWS call, and none when asked again", async () => {
    const first = await helpOn(anotherFleet());
    const again = await helpOn(anotherFleet());

    expect(first.text).toContain("Examples on your fleet:");
    expect(first.text).toContain("/ecs digest payments-service-connect");
    expect(first.text).toContain("/ecs whois <service>.payments-service-connect");
    expect(first.text).toContain("Replace the parts in angle brackets with your own names.");
    for (const demo of DEMO_NAMES) expect(first.text).not.toContain(demo);
    expect(first.calls).toBe(1);
    expect(again.calls).toBe(0);
  });

  it("uses real names once a search has read them, with nothing left to fill in", async () => {
    await helpOn(loadDemoFleet(), "whois ngnix");
    const { text, calls } = await helpOn(loadDemoFleet());

    expect(text).toMatch(/\/ecs whois \S+\.service-connect /);
    expect(text).toMatch(/\/ecs why \S+\/\S+ \S+\.service-connect/);
    expect(text).not.toContain("<service>");
    expect(text).not.toContain("Replace the parts");
    expect(calls).toBe(0);
  });

  it("answers with placeholders, never the demo's names, when the namespaces cannot be read", async () => {
    const { text } = await helpOn(anotherFleet(), "help", ["ServiceDiscovery.ListNamespaces"]);

    expect(text).toContain("/ecs whois <service>.<namespace>");
    expect(text).toContain("/ecs digest <cluster or namespace>");
    expect(text).toContain("Replace the parts in angle brackets with your own names.");
    for (const demo of DEMO_NAMES) expect(text).not.toContain(demo);
  });

  it("explains one command when asked for it, and no other", async () => {
    const { text } = await helpOn(anotherFleet(), "help why");

    expect(text.split("\n")[0]).toBe(
      "/ecs why <client> <target> why a service, task or lambda:NAME cannot reach a name: name, then path (security groups, network ACLs, routes), then app, with the fix.",
    );
    expect(text).toContain("/ecs why <cluster>/<service> <service>.payments-service-connect");
    expect(text).not.toContain("/ecs whois");
    expect(text).not.toContain("/ecs digest");
  });

  it("still names an unknown command, and lists what it can do", async () => {
    const { text } = await helpOn(anotherFleet(), "help frobnicate");

    expect(text.split("\n")[0]).toBe("Unknown command frobnicate. Here is what I can do:");
    expect(text).toContain("/ecs help <command> how to ask one command, with examples.");
  });
});
