import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { awsContext, clearSharedCache } from "../../src/commands/aws-context.ts";
import { runEcsCommand } from "../../src/commands/router.ts";
import { renderText } from "../../src/render/text.ts";
import { useEmulatedAws } from "../support/emulated-aws.ts";

// whois end to end below the Slack layer: the real SDK clients against the loopback emulator
// serving the demo fleet. Assertions are on the text a user reads.

let aws: Awaited<ReturnType<typeof useEmulatedAws>>;
const whois = async (name: string) =>
  renderText((await runEcsCommand(`whois ${name}`, () => awsContext("ap-northeast-1"))).doc);

beforeAll(async () => {
  aws = await useEmulatedAws();
});
afterAll(async () => {
  await aws.stop();
});
beforeEach(() => {
  clearSharedCache();
  aws.emulator.resetStats();
});

describe("/ecs whois on the demo fleet", () => {
  it("lists both endpoints of nginx.service-connect with their health and who can resolve it", async () => {
    const text = await whois("nginx.service-connect");

    expect(text.split("\n")[0]).toBe(
      "nginx.service-connect → Service Connect alias of tutorial/service-connect-nginx-service, port nginx (80/http), 2 of 2 endpoints healthy",
    );
    expect(text).toMatch(
      /✔ healthy 10\.0\.1\.23:80 ap-northeast-1a · Cloud Map HEALTHY · ECS RUNNING\/HEALTHY/,
    );
    expect(text).toMatch(/✔ healthy 10\.0\.2\.47:80 ap-northeast-1c/);
    expect(text).toContain(
      "nginx.service-connect:80: Service Connect alias in HTTP namespace service-connect. Resolvable only inside tasks of Service Connect-enabled services in that namespace (3 such services: api-service, service-connect-nginx-service, web-frontend).",
    );
    expect(text).toContain("Task definition service-connect-nginx:1");
    expect(text).toContain(
      "Container webserver · port name nginx · containerPort 80 · appProtocol http",
    );
  });

  it("accepts the alias with its port", async () => {
    const text = await whois("nginx.service-connect:80");

    expect(text.split("\n")[0]).toContain("2 of 2 endpoints healthy");
  });

  it("says api.internal.local resolves through VPC DNS and puts the unhealthy endpoint first", async () => {
    const text = await whois("api.internal.local");
    const endpoints = text.slice(text.indexOf("Endpoints"));

    expect(text).toContain("Resolvable by any client in VPC vpc-0b1e2c3d4e5f60718 through VPC DNS");
    expect(endpoints.split("\n")[1]).toContain("✖ UNHEALTHY 10.0.3.103:8080 ap-northeast-1d");
    expect(text.split("\n")[0]).toContain("2 of 3 endpoints healthy");
  });

  it("names the task and service behind a task IP", async () => {
    const text = await whois("10.0.2.47");

    expect(text.split("\n")[0]).toBe(
      "10.0.2.47 → task 1a2b3c4d5e6f47a8b9c0d1e2f3a4b502 of tutorial/service-connect-nginx-service (RUNNING, HEALTHY), serves nginx.service-connect:80",
    );
  });

  it("finds the stopped task that last held an IP", async () => {
    const text = await whois("10.0.2.150");

    expect(text.split("\n")[0]).toMatch(
      /^10\.0\.2\.150 → task 6f7a8b9c0d1e42f3a4b5c6d7e8f90a17 of ecs_service_discovery\/billing-worker \(STOPPED/,
    );
  });

  it("suggests nginx.service-connect for the typo ngnix and says where it looked", async () => {
    const text = await whois("ngnix");

    expect(text).toContain("Not found: ngnix");
    expect(text).toContain("Did you mean nginx.service-connect?");
    expect(text).toContain(
      "namespaces internal.local, service-connect; clusters ecs_service_discovery, tutorial",
    );
  });

  it("finds a bare discovery name and leads with the alias clients use, not the bare word", async () => {
    const text = await whois("nginx");

    expect(text.split("\n")[0]).toBe(
      "nginx.service-connect (asked: nginx) → Service Connect alias of tutorial/service-connect-nginx-service, port nginx (80/http), 2 of 2 endpoints healthy. nginx is only the Cloud Map discovery name: clients cannot resolve it, they use nginx.service-connect:80",
    );
    expect(text).toContain(
      "nginx.service-connect:80: Service Connect alias in HTTP namespace service-connect",
    );
  });

  it("answers for an ECS service that publishes no name and runs nothing", async () => {
    const text = await whois("billing-worker");

    expect(text.split("\n")[0]).toBe(
      "billing-worker → ECS service ecs_service_discovery/billing-worker, publishes no name, 0 of 2 tasks running",
    );
    expect(text).toContain("Nothing runs: 0 of 2 tasks");
  });

  it("resolves a service given as cluster/service and as an ARN alike", async () => {
    const byPath = await whois("tutorial/service-connect-nginx-service");
    const byArn = await whois(
      "arn:aws:ecs:ap-northeast-1:123456789012:service/tutorial/service-connect-nginx-service",
    );

    expect(byPath.split("\n")[0]).toContain(
      "ECS service tutorial/service-connect-nginx-service, publishes nginx.service-connect:80",
    );
    expect(byArn.split("\n")[0]).toContain("ECS service tutorial/service-connect-nginx-service");
  });

  it("resolves a task ID to its service", async () => {
    const text = await whois("5e6f7a8b9c0d41e2f3a4b5c6d7e8f906");

    expect(text.split("\n")[0]).toContain(
      "task 5e6f7a8b9c0d41e2f3a4b5c6d7e8f906 of ecs_service_discovery/api-service (RUNNING, UNHEALTHY)",
    );
  });

  it("gives a partial answer that says what is missing when DescribeTasks is throttled", async () => {
    aws.emulator.setThrottleRate(1, ["ECS.DescribeTasks"]);
    try {
      const text = await whois("nginx.service-connect");

      expect(text).toContain("Service Connect alias of tutorial/service-connect-nginx-service");
      expect(text).toMatch(
        /Partial answer: could not read the tasks behind tutorial\/service-connect-nginx-service: AWS throttled DescribeTasks/,
      );
    } finally {
      aws.emulator.setThrottleRate(0);
    }
  });
});
