import { describe, expect, it } from "vitest";
import { awsContext } from "../../src/commands/reads/aws-context.ts";
import { runEcsCommand } from "../../src/commands/router.ts";
import { renderText } from "../../src/render/text.ts";
import { ROUND_TRIP_MS } from "../support/emulated-aws.ts";
import { useEmulatorPerFile } from "../support/emulator-per-file.ts";

const aws = useEmulatorPerFile();
const why = async (args: string) =>
  renderText((await runEcsCommand(`why ${args}`, () => awsContext("ap-northeast-1"))).doc);
const headline = (text: string) => text.split("\n")[0];
/** The chain line of one link, as the engineer reads it. */
const link = (text: string, name: string) =>
  text
    .split("\n")
    .find((l) => l.trim().slice(2).startsWith(`${name}:`))
    ?.trim();

describe("/ecs why on the demo fleet's pairs", () => {
  it("says web-frontend reaches nginx end to end: every link ✔ and its traffic seen", async () => {
    const text = await why("tutorial/web-frontend nginx.service-connect");

    expect(headline(text)).toBe(
      "✔ web-frontend can reach nginx.service-connect:80: the name resolves for it, the rules let TCP 80 through both ways, and 2 endpoints are healthy; its traffic shows in the metrics",
    );
    expect(text).not.toMatch(/^\s*[✖?] /m);
    expect(link(text, "service-connect-nginx-service security groups in")).toBe(
      "✔ service-connect-nginx-service security groups in: sg-0c0ffee00000a0001 (nginx-tasks) allows TCP 80 from sg-0c0ffee00000a0002",
    );
    expect(link(text, "traffic from the client")).toMatch(
      /^✔ traffic from the client: web-frontend sent [\d,]+ requests .* to nginx in the last 15m/,
    );
    expect(text).toContain("look inside the task");
  });

  it("names the security group that keeps legacy-report out of api.internal.local, and the command that lets it in", async () => {
    const text = await why("tutorial/legacy-report api.internal.local");

    expect(headline(text)).toBe(
      "✖ legacy-report cannot reach api.internal.local:8080: no rule of sg-0c0ffee00000b0001 (api-service-tasks) allows TCP 8080 from legacy-report (10.0.2.88, sg-0c0ffee00000a0004): it allows TCP 8080 only from sg-0c0ffee00000a0002, sg-0c0ffee00000d0001, 10.1.1.0/24, sg-0c0ffee00000b0001",
    );
    expect(text).toContain(
      "aws ec2 authorize-security-group-ingress --group-id sg-0c0ffee00000b0001 --protocol tcp --port 8080 --source-group sg-0c0ffee00000a0004",
    );
    // The name resolves: the chain shows it before the broken path.
    expect(link(text, "vpc-0b1e2c3d4e5f60718 DNS attributes")).toMatch(/^✔ /);
  });

  it("says a Lambda outside any VPC never resolves a private DNS name, and how to attach it", async () => {
    const text = await why("lambda:report-mailer api.internal.local");

    // Both links it breaks are counted; the name leads (debugging order).
    expect(headline(text)).toBe(
      "✖ Lambda report-mailer cannot reach api.internal.local:8080: 2 broken links. First, resolve api.internal.local: Lambda report-mailer is not attached to a VPC: it resolves through public DNS, which does not answer for the private zone of internal.local. Also broken: network path.",
    );
    expect(text).toContain(
      "aws lambda update-function-configuration --function-name report-mailer --vpc-config SubnetIds=<subnets of vpc-0b1e2c3d4e5f60718>",
    );
  });

  it("says a Lambda can never resolve a Service Connect alias, and offers the DNS name instead", async () => {
    const text = await why("lambda:order-webhook api.service-connect");

    expect(headline(text)).toContain(
      "✖ Lambda order-webhook cannot reach api.service-connect:8080: 2 broken links. First, resolve api.service-connect: api.service-connect is a Service Connect alias",
    );
    expect(headline(text)).toContain("A Lambda function never can");
    expect(text).toContain("use api.internal.local (this service's Service Discovery DNS name");
  });

  it("finds the peered VPC whose DNS hostnames are off", async () => {
    const text = await why("lambda:nightly-export api.internal.local");

    expect(headline(text)).toBe(
      "✖ Lambda nightly-export cannot reach api.internal.local:8080: vpc-0d2e3f4a5b6c70819 has enableDnsHostnames off: private hosted zones do not resolve in it, silently",
    );
    expect(text).toContain(
      `aws ec2 modify-vpc-attribute --vpc-id vpc-0d2e3f4a5b6c70819 --enable-dns-hostnames '{"Value":true}'`,
    );
    // Across the peering: both directions routed, and the CIDR rule counts.
    expect(text).toMatch(
      /✔ route subnet-0b2c0ffee0000001a → 10\.0\.\d\.0\/24: rtb-0d2e0ffee00000001 sends 10\.0\.0\.0\/16 to pcx-0a1b2c3d4e5f60789/,
    );
    expect(text).toMatch(/✔ route subnet-0a1c0ffee0000001\w → 10\.1\.1\.0\/24 \(replies\)/);
    expect(link(text, "api-service security groups in")).toContain(
      "allows TCP 8080 from 10.1.1.0/24",
    );
  });

  it("finds the network ACL that drops the replies to a Lambda's ephemeral ports", async () => {
    const text = await why("lambda:order-webhook api.internal.local");

    expect(headline(text)).toBe(
      "✖ Lambda order-webhook cannot reach api.internal.local:8080: the replies are dropped: acl-0c0ffee0000000011 denies TCP 1024-32767, 61000-65535 from 10.0.1.101 (rule 32767)",
    );
    // One entry for every subnet the replies come from, before the final deny.
    expect(text).toContain(
      "aws ec2 create-network-acl-entry --network-acl-id acl-0c0ffee0000000011 --ingress --rule-number 32766 --protocol tcp --port-range From=1024,To=65535 --cidr-block 10.0.0.0/22 --rule-action allow",
    );
    // The denied pair keeps its own line and fix; the pairs that pass are one line per direction.
    expect(link(text, "subnet-0a1c0ffee0000011a in (replies)")).toMatch(/^✖ /);
    expect(link(text, "network ACLs (requests)")).toBe(
      "✔ network ACLs (requests): acl-0c0ffee0000000011 allows TCP 8080 out of subnet-0a1c0ffee0000011a; acl-0c0ffee0000000001 allows TCP 8080 into subnet-0a1c0ffee0000001a, subnet-0a1c0ffee0000001c, subnet-0a1c0ffee0000001d",
    );
    expect(link(text, "network ACLs (replies)")).toBe(
      "✔ network ACLs (replies): the other subnet pairs: acl-0c0ffee0000000001 allows TCP 1024-65535 out of subnet-0a1c0ffee0000001a, subnet-0a1c0ffee0000001c, subnet-0a1c0ffee0000001d",
    );
  });

  it("says web-frontend → api's network ACLs in one line per direction, not one per pair of subnets", async () => {
    const text = await why("tutorial/web-frontend api.service-connect");
    const acls = text
      .split("\n")
      .filter((l) => /^ +[✔✖?•] (network ACLs|subnet-\S+ (in|out))/.test(l))
      .map((l) => l.trim());

    expect(acls).toEqual([
      "✔ network ACLs (requests): acl-0c0ffee0000000001 allows TCP 8080 out of subnet-0a1c0ffee0000001a, into subnet-0a1c0ffee0000001c, subnet-0a1c0ffee0000001d; within subnet-0a1c0ffee0000001a: no network ACL between the two ends",
      "✔ network ACLs (replies): acl-0c0ffee0000000001 allows TCP 32768-60999 out of subnet-0a1c0ffee0000001c, subnet-0a1c0ffee0000001d, into subnet-0a1c0ffee0000001a",
    ]);
    expect(headline(text)).toMatch(/^✔ web-frontend can reach api\.service-connect:8080/);
  });

  it("says legacy-report was deployed before the alias appeared and must be redeployed", async () => {
    const text = await why("tutorial/legacy-report api.service-connect");

    expect(headline(text)).toContain(
      "legacy-report's deployment started 2026-11-21 08:00 UTC, before api first appeared in service-connect (2026-11-22 10:50 UTC): its tasks' proxies do not know api.service-connect until it is redeployed",
    );
    expect(text).toContain(
      "aws ecs update-service --cluster tutorial --service legacy-report --force-new-deployment",
    );
  });

  it("takes a client by task IP: that task, judged by when it started", async () => {
    const text = await why("10.0.2.88 api.service-connect");

    expect(headline(text)).toMatch(
      /^✖ task 10\.0\.2\.88 of legacy-report cannot reach api\.service-connect:8080: 2 broken links\. First, resolve api\.service-connect: task ab1c2d3e4f5a of legacy-report started 2026-11-21 08:0\d UTC, before api first appeared/,
    );
  });

  it("asked by service, judges the name this client would use: a Lambda gets the DNS name", async () => {
    const text = await why("lambda:report-mailer ecs_service_discovery/api-service");

    expect(headline(text)).toContain("✖ Lambda report-mailer cannot reach api.internal.local:8080");
  });

  it("says a Service Connect client of another namespace cannot resolve the alias", async () => {
    const text = await why("staging/web-frontend api.service-connect:8080");

    expect(headline(text)).toBe(
      "✖ web-frontend cannot reach api.service-connect:8080: 2 broken links. First, resolve api.service-connect: web-frontend uses Service Connect namespace staging; api.service-connect is only in namespace service-connect: they are in different Service Connect namespaces. Also broken: api-service security groups in.",
    );
  });
});

/** The lines that judge a link: a verdict mark first. */
const judged = /^\s*[✔✖?] /m;
/** The fix block, as the engineer reads it. */
const fixBlock = (text: string) => text.split("\nFix")[1]?.split("\n\n")[0] ?? "";

describe("/ecs why to a task's IP", () => {
  it("judges the task the client dials, never the service's other healthy endpoints", async () => {
    const text = await why("tutorial/web-frontend 10.0.3.103");

    expect(text.split("\n")[0]).not.toMatch(/^✔/);
    expect(text).toContain(
      "10.0.3.103 (task 5e6f7a8b9c0d of ecs_service_discovery/api-service) is down: the task is unhealthy (container health check failing: api)",
    );
  });
});

describe("/ecs why when the client or the target does not exist", () => {
  it("says a mistyped client was not found, suggests the service and what to type, and judges nothing", async () => {
    const text = await why("tutorial/web-frontned nginx.service-connect");

    expect(headline(text)).toBe("Client not found: tutorial/web-frontned");
    expect(text).toContain("/ecs why tutorial/web-frontend nginx.service-connect");
    expect(text).not.toMatch(judged);
    expect(text).not.toContain("could not read");
    expect(text).not.toContain("Partial answer");
  });

  it("says a client in a cluster that does not exist was not found, not unreadable", async () => {
    const text = await why("nocluster/web-frontend nginx.service-connect");

    expect(headline(text)).toBe("Client not found: nocluster/web-frontend");
    expect(text).not.toMatch(judged);
    expect(text).not.toContain("Partial answer");
  });

  it("says a mistyped target was not found and suggests the exact question to ask", async () => {
    const text = await why("tutorial/web-frontend ngnix");

    expect(headline(text)).toBe("Not found: ngnix");
    expect(text).toContain("/ecs why tutorial/web-frontend nginx.service-connect");
    expect(text).not.toMatch(judged);
  });

  it("says nothing publishes the port asked on the target's name, and judges no other port", async () => {
    const text = await why("tutorial/web-frontend nginx.service-connect:81");

    expect(headline(text)).toBe(
      "Nothing publishes port 81 on nginx.service-connect: it publishes port 80",
    );
    expect(text).toContain("/ecs why tutorial/web-frontend nginx.service-connect:80");
    expect(text).not.toMatch(judged);
  });

  it("says a target service that does not exist was not found, without a partial-answer note", async () => {
    const text = await why("tutorial/web-frontend tutorial/nosuch");

    expect(headline(text)).toBe("Not found: tutorial/nosuch");
    expect(text).not.toContain("Partial answer");
    expect(text).not.toContain("incomplete");
  });

  it("says a Lambda that does not exist was not found, and judges nothing", async () => {
    const text = await why("lambda:report-mailr api.internal.local");

    expect(headline(text)).toBe("Client not found: lambda:report-mailr");
    expect(text).toContain("/ecs why lambda:report-mailer api.internal.local");
    expect(text).not.toMatch(judged);
  });

  it("still says ? when the client's service cannot be read: denied is not absent", async () => {
    aws.emulator.setDenied(["ECS.DescribeServices"]);

    const text = await why("tutorial/legacy-report api.internal.local");

    expect(headline(text)).not.toContain("not found");
    expect(headline(text)).toMatch(/^\? /);
  });
});

describe("/ecs why when a name stands for several things", () => {
  it("lists both web-frontend services with the question to type, and judges neither", async () => {
    const text = await why("web-frontend nginx.service-connect");

    expect(headline(text)).toBe(
      "web-frontend matches 2 clients: ask about one of them, exactly as written below",
    );
    expect(text).toContain("/ecs why staging/web-frontend nginx.service-connect");
    expect(text).toContain("/ecs why tutorial/web-frontend nginx.service-connect");
    expect(text).not.toMatch(judged);
    expect(text).not.toContain("update-service");
  });

  it("lists the three names api stands for as a target, and judges none", async () => {
    const text = await why("tutorial/web-frontend api");

    expect(headline(text)).toBe(
      "api matches 3 targets: ask about one of them, exactly as written below",
    );
    for (const name of ["api.internal.local", "api.service-connect", "api.staging"]) {
      expect(text).toContain(`/ecs why tutorial/web-frontend ${name}`);
    }
    expect(text).not.toMatch(judged);
  });
});

describe("/ecs why with several broken links", () => {
  it("counts both broken links of legacy-report → api.service-connect and gives both fixes, rule first", async () => {
    const text = await why("tutorial/legacy-report api.service-connect");

    expect(headline(text)).toMatch(
      /^✖ legacy-report cannot reach api\.service-connect:8080: 2 broken links\. First, resolve api\.service-connect: legacy-report's deployment started 2026-11-21 08:00 UTC, before api first appeared/,
    );
    expect(headline(text)).toContain("Also broken: api-service security groups in.");
    const fixes = fixBlock(text);
    const rule = fixes.indexOf(
      "aws ec2 authorize-security-group-ingress --group-id sg-0c0ffee00000b0001 --protocol tcp --port 8080 --source-group sg-0c0ffee00000a0004",
    );
    const redeploy = fixes.indexOf(
      "aws ecs update-service --cluster tutorial --service legacy-report --force-new-deployment",
    );
    expect(rule).toBeGreaterThanOrEqual(0);
    expect(redeploy).toBeGreaterThan(rule);
  });

  it("never moves staging's web-frontend into prod's namespace: it offers staging's own api instead", async () => {
    const text = await why("staging/web-frontend api.service-connect");

    expect(text).not.toContain("namespace=service-connect");
    expect(headline(text)).toContain("they are in different Service Connect namespaces");
    expect(fixBlock(text)).toContain("/ecs why staging/web-frontend api.staging");
  });

  it("says staging has no nginx of its own, and gives no command to join prod's namespace", async () => {
    const text = await why("staging/web-frontend nginx.service-connect");

    expect(text).not.toContain("namespace=service-connect");
    expect(fixBlock(text)).toContain(
      "Namespace staging has no counterpart of service-connect-nginx-service",
    );
  });
});

describe("/ecs why when AWS does not answer", () => {
  it("shows ? for the security groups when EC2 denies them, never ✔ or ✖ without data", async () => {
    aws.emulator.setDenied(["EC2.DescribeSecurityGroups"]);

    const text = await why("tutorial/legacy-report api.internal.local");

    expect(headline(text)).toMatch(
      /^\? legacy-report → api\.internal\.local:8080: nothing found broken, but 2 links are unknown\. First, legacy-report security groups out: .*may not call DescribeSecurityGroups/,
    );
    expect(headline(text)).toContain("Also unknown: api-service security groups in.");
    expect(link(text, "legacy-report security groups out")).toBe(
      "? legacy-report security groups out: legacy-report's security groups: the bot's IAM role may not call DescribeSecurityGroups (UnauthorizedOperation)",
    );
    expect(link(text, "api-service security groups in")).toMatch(/^\? /);
    expect(text).toContain("Partial answer: could not read the security groups");
  });

  it("says the path is unknown when the subnets cannot be read, and still judges the name", async () => {
    aws.emulator.setDenied(["EC2.DescribeSubnets"]);

    const text = await why("lambda:order-webhook api.service-connect");

    expect(headline(text)).toContain("A Lambda function never can");
    expect(link(text, "network path")).toBe(
      "? network path: the subnets of both ends: the bot's IAM role may not call DescribeSubnets (UnauthorizedOperation)",
    );
  });

  it("says whether the Lambda is in a VPC is unknown when GetFunctionConfiguration is denied", async () => {
    aws.emulator.setDenied(["Lambda.GetFunctionConfiguration"]);

    const text = await why("lambda:order-webhook api.internal.local");

    expect(headline(text)).toMatch(/^\? Lambda order-webhook → api\.internal\.local:8080/);
    expect(text).not.toMatch(/^\s*✖ /m);
  });
});

describe("/ecs why with bad input", () => {
  it.each([
    ["", "give a client and a target"],
    ["tutorial/web-frontend", "give a client and a target"],
    ["a b c", "give exactly two names"],
    ["tutorial/web-frontend tutorial/web-frontend", "the client and the target are the same"],
    ["nginx.service-connect tutorial/web-frontend", "the client is what makes the call"],
    ["lambda:bad$name api.internal.local", "a Lambda function name has only letters"],
    ["tutorial/web-frontend <script>", "the target: names contain only letters"],
  ])("answers %j with a usage message and no AWS call", async (args, reason) => {
    const text = await why(args);

    expect(headline(text)).toContain(reason);
    expect(text).toContain("/ecs why <cluster>/<service> <service>.<namespace>");
    expect(aws.emulator.stats().total).toBe(0);
  });

  it("says which client was not found", async () => {
    const text = await why("lambda:no-such-function api.internal.local");

    expect(headline(text)).toBe("Client not found: lambda:no-such-function");
  });

  it("says the target was not found as whois does", async () => {
    const text = await why("tutorial/web-frontend nosuch.service-connect");

    expect(headline(text)).toContain("Not found");
  });
});

describe("what a why costs", () => {
  it("asks EC2 once per kind of rule, while the target's health is still being read", async () => {
    aws.emulator.setLatency(ROUND_TRIP_MS);
    try {
      await why("tutorial/legacy-report api.internal.local");
      const cold = aws.emulator.stats();
      aws.emulator.resetStats();
      await why("tutorial/legacy-report api.internal.local");
      const warm = aws.emulator.stats();

      for (const op of ["DescribeSecurityGroups", "DescribeNetworkAcls", "DescribeSubnets"]) {
        expect(cold.calls[`EC2.${op}`]).toBe(1);
      }
      // One VPC: its route tables still, a route more specific than the local one may pass an
      // appliance (the subnets' own and the main table, one call each); no prefix list in them:
      // no GetManagedPrefixListEntries. A private DNS name: both DNS attributes.
      expect(cold.calls["EC2.DescribeRouteTables"]).toBe(2);
      expect(cold.calls["EC2.GetManagedPrefixListEntries"]).toBeUndefined();
      expect(cold.calls["EC2.DescribeVpcAttribute"]).toBe(2);
      // Rules and subnets come from the cache a second later.
      expect(Object.keys(warm.calls).filter((k) => k.startsWith("EC2."))).toEqual([]);
      // The EC2 rounds overlap the target's clients and traffic: two fewer than one after the other.
      expect(cold.sequentialRoundTrips).toBeLessThanOrEqual(6);
    } finally {
      aws.emulator.setLatency(0);
    }
  });
});
