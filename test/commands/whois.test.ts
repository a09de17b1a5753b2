import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadDemoFleet } from "../../emulator/fleet/demo.ts";
import type { Fleet } from "../../emulator/fleet/types.ts";
import { awsContext, clearSharedCache } from "../../src/commands/reads/aws-context.ts";
import { runEcsCommand } from "../../src/commands/router.ts";
import { renderText } from "../../src/render/text.ts";
import { useEmulatedAws } from "../support/emulated-aws.ts";
import { officialServiceConnectFleet } from "../support/official-fleet.ts";

// whois end to end below the Slack layer: the real SDK clients against the loopback emulator
// serving the demo fleet. Assertions are on the text a user reads.

let aws: Awaited<ReturnType<typeof useEmulatedAws>>;
let fleet: Fleet;
const whois = async (name: string) =>
  renderText((await runEcsCommand(`whois ${name}`, () => awsContext("ap-northeast-1"))).doc);

beforeAll(async () => {
  fleet = loadDemoFleet();
  aws = await useEmulatedAws(fleet);
});
afterAll(async () => {
  await aws.stop();
});
beforeEach(() => {
  clearSharedCache();
  aws.emulator.resetStats();
});

/** The ListTasks calls made, as "cluster[/service] STATUS". */
const taskListings = () =>
  aws.emulator.requests
    .filter((r) => r.operation === "ListTasks")
    .map((r) => {
      const body = r.body as { cluster?: string; serviceName?: string; desiredStatus?: string };
      const where = [body.cluster, body.serviceName].filter(Boolean).join("/");
      return `${where} ${body.desiredStatus}`;
    })
    .sort();

const NGINX_TASK =
  "10.0.2.47 → task 1a2b3c4d5e6f47a8b9c0d1e2f3a4b502 of tutorial/service-connect-nginx-service (RUNNING, HEALTHY), serves nginx.service-connect:80";

describe("/ecs whois IP, asked of the network first", () => {
  beforeEach(() => {
    aws.emulator.requests.length = 0;
    aws.emulator.setDenied([]);
    delete fleet.eniTags;
  });

  it("reads only the service an ENI's ECS tags name to find a running task's IP", async () => {
    fleet.eniTags = "cluster-and-service";

    const text = await whois("10.0.2.47");

    expect(text.split("\n")[0]).toBe(NGINX_TASK);
    expect(taskListings()).toEqual(["tutorial/service-connect-nginx-service RUNNING"]);
    expect(aws.emulator.stats().calls["EC2.DescribeNetworkInterfaces"]).toBe(1);
  });

  it("finds a running task's IP by its ENI's attachment when the ENI carries no ECS tags", async () => {
    const text = await whois("10.0.2.47");

    expect(text.split("\n")[0]).toBe(NGINX_TASK);
    // Running tasks only: the ENI shows the task is not a stopped one.
    expect(taskListings()).toEqual([
      "ecs_service_discovery RUNNING",
      "staging RUNNING",
      "tutorial RUNNING",
      "tutorial/service-connect-nginx-service RUNNING",
    ]);
  });

  it("answers an address an earlier search saw with one DescribeTasks, and searches again once its task no longer holds it", async () => {
    await whois("10.0.2.47"); // untagged: every cluster's running tasks are read
    aws.emulator.requests.length = 0;

    const seen = await whois("10.0.1.140");

    expect(seen.split("\n")[0]).toMatch(
      /^10\.0\.1\.140 → task de4f5a6b7c8d49e0f1a2b3c4d5e6f7a8 of staging\/api-service \(RUNNING/,
    );
    // No cluster searched: only the service's own task list, read for its facts.
    expect(taskListings()).toEqual(["staging/api-service RUNNING"]);

    // The two tasks trade addresses (each stopped, the address reused): the index is now wrong.
    const holding = (ip: string) =>
      fleet.tasks
        .flatMap((t) => t.attachments ?? [])
        .flatMap((a) => a.details ?? [])
        .find((d) => d.name === "privateIPv4Address" && d.value === ip);
    const [a, b] = [holding("10.0.1.140"), holding("10.0.2.47")];
    if (!a || !b) throw new Error("the demo fleet has no such tasks");
    [a.value, b.value] = [b.value, a.value];
    try {
      aws.emulator.requests.length = 0;
      const moved = await whois("10.0.1.140");

      expect(moved.split("\n")[0]).toMatch(
        /^10\.0\.1\.140 → task 1a2b3c4d5e6f47a8b9c0d1e2f3a4b502 of tutorial\/service-connect-nginx-service \(RUNNING/,
      );
      expect(taskListings()).toContain("tutorial RUNNING");
    } finally {
      [a.value, b.value] = [b.value, a.value];
    }
  });

  it("searches only the cluster an ENI's cluster tag names", async () => {
    fleet.eniTags = "cluster";

    const text = await whois("10.0.1.140");

    expect(text.split("\n")[0]).toMatch(
      /^10\.0\.1\.140 → task de4f5a6b7c8d49e0f1a2b3c4d5e6f7a8 of staging\/api-service \(RUNNING, HEALTHY\)/,
    );
    expect(taskListings()).toEqual(["staging RUNNING", "staging/api-service RUNNING"]);
  });

  it("says a Lambda's IP is not an ECS task's, naming the function, without reading ECS tasks", async () => {
    const text = await whois("10.0.11.5");

    expect(text.split("\n").slice(0, 3)).toEqual([
      "10.0.11.5 → Lambda function order-webhook's network interface (eni-0d0ffee0000011a05), not an ECS task",
      "Lambda shares an interface among functions with the same subnet and security groups: order-webhook may not be the only one using it.",
      "Looked in region ap-northeast-1: the network interfaces of its VPCs; ECS not searched, as the address is no task's.",
    ]);
    expect(aws.emulator.stats().calls).toEqual({
      "EC2.DescribeNetworkInterfaces": 1,
      "ECS.ListClusters": 1,
    });
  });

  it("says an instance's IP is shared by its bridge and host mode tasks, which ECS gives no IP", async () => {
    const text = await whois("10.0.3.10");

    expect(text.split("\n").slice(0, 2)).toEqual([
      "10.0.3.10 → EC2 instance i-0b5a7c9d1e3f50a10's own network interface (eni-0b5a7c9d1e3f50a10), not an awsvpc task's",
      "Tasks in bridge or host mode on that instance share its address, and ECS reports no address of their own for them.",
    ]);
    expect(taskListings()).toEqual([]);
  });

  it("names a load balancer node's address in the headline, not Not found", async () => {
    const text = await whois("10.0.1.200");

    expect(text.split("\n")[0]).toBe(
      "10.0.1.200 → Network Load Balancer orders-nlb's network interface (eni-0e1bfee0000001a20), not an ECS task",
    );
  });

  it.each([
    [
      "a NAT gateway",
      "nat_gateway",
      "Interface for NAT Gateway nat-0a1b2c3d4e5f60789",
      "10.0.1.250 → NAT gateway nat-0a1b2c3d4e5f60789's network interface (eni-0a7a7fee0000001a50), not an ECS task",
    ],
    [
      "a VPC endpoint (interface type interface, as AWS's own example shows)",
      "interface",
      "VPC Endpoint Interface: vpce-0f00567fa8477a1e6",
      "10.0.1.250 → VPC endpoint vpce-0f00567fa8477a1e6's network interface (eni-0a7a7fee0000001a50), not an ECS task",
    ],
  ])("names %s holding the address", async (_, type, description, headline) => {
    const nlb = fleet.networkInterfaces?.find((n) => n.InterfaceType === "network_load_balancer");
    if (!nlb || !fleet.networkInterfaces) throw new Error("the demo fleet has no NLB interface");
    const ip = "10.0.1.250";
    fleet.networkInterfaces.push({
      ...nlb,
      NetworkInterfaceId: "eni-0a7a7fee0000001a50",
      InterfaceType: type as typeof nlb.InterfaceType,
      Description: description,
      RequesterId: "AIDAEXAMPLE",
      PrivateIpAddress: ip,
      PrivateIpAddresses: [{ Primary: true, PrivateIpAddress: ip }],
    });
    try {
      const text = await whois(ip);

      expect(text.split("\n")[0]).toBe(headline);
      expect(taskListings()).toEqual([]);
    } finally {
      fleet.networkInterfaces.pop();
    }
  });

  it("still finds the stopped task that held an IP no ENI holds now, searching stopped tasks only", async () => {
    const text = await whois("10.0.2.150");

    expect(text.split("\n")[0]).toMatch(
      /^10\.0\.2\.150 → task 6f7a8b9c0d1e42f3a4b5c6d7e8f90a17 of ecs_service_discovery\/billing-worker \(STOPPED/,
    );
    expect(taskListings().filter((l) => !l.includes("/"))).toEqual([
      "ecs_service_discovery STOPPED",
      "staging STOPPED",
      "tutorial STOPPED",
    ]);
  });

  it("answers an IP in none of the account's VPCs quickly, saying where it looked", async () => {
    const text = await whois("10.9.9.9");

    expect(text.split("\n").slice(0, 3)).toEqual([
      "Not found: 10.9.9.9",
      "No network interface in ap-northeast-1 holds 10.9.9.9: it is no address of this account's VPCs there now (another account's or region's, or released).",
      "Looked in region ap-northeast-1: the network interfaces of its VPCs, then the recently stopped tasks of clusters ecs_service_discovery, staging, tutorial (a running task's interface would have shown).",
    ]);
  });

  it("falls back to every cluster's tasks when the ENI cannot be read, and says so", async () => {
    aws.emulator.setDenied(["EC2.DescribeNetworkInterfaces"]);

    const text = await whois("10.0.2.47");

    expect(text.split("\n")[0]).toBe(
      `${NGINX_TASK} (partial: could not read the network interfaces holding 10.0.2.47)`,
    );
    expect(text).toContain(
      "Partial answer: could not read the network interfaces holding 10.0.2.47: the bot's IAM role may not call DescribeNetworkInterfaces (UnauthorizedOperation).",
    );
  });

  it("never takes an unread ENI and unfound task for an address nobody holds", async () => {
    aws.emulator.setDenied(["EC2.DescribeNetworkInterfaces"]);

    const text = await whois("10.9.9.9");

    expect(text.split("\n").slice(0, 2)).toEqual([
      "Not found, but the search was incomplete: 10.9.9.9",
      "Looked in region ap-northeast-1: the network interfaces of its VPCs (unread), then the running and recently stopped tasks of clusters ecs_service_discovery, staging, tutorial.",
    ]);
    expect(text).not.toContain("No network interface");
  });

  it("tells /ecs health the same about a Lambda's IP", async () => {
    const text = renderText(
      (await runEcsCommand("health 10.0.11.5", () => awsContext("ap-northeast-1"))).doc,
    );

    expect(text.split("\n")[0]).toBe(
      "10.0.11.5 → Lambda function order-webhook's network interface (eni-0d0ffee0000011a05), not an ECS task",
    );
    expect(text).not.toMatch(/HEALTHY|DEGRADED|DOWN|UNKNOWN/);
  });
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
      // legacy-report has an old short-format ARN: it is named, not dropped.
      "nginx.service-connect:80: Service Connect alias in HTTP namespace service-connect. Resolvable only inside tasks of Service Connect-enabled services in that namespace (5 such services: api-service, legacy-report, service-connect-nginx-service, session-cache, web-frontend).",
    );
    expect(text).toContain("Task definition service-connect-nginx:1");
    expect(text).toContain(
      "Container webserver · port name nginx · containerPort 80 · appProtocol http",
    );
  });

  it("says nothing publishes a port the alias does not have, and which port it has", async () => {
    const text = await whois("nginx.service-connect:81");

    expect(text.split("\n").slice(0, 2)).toEqual([
      "Nothing publishes port 81 on nginx.service-connect: it publishes port 80",
      "Try /ecs whois nginx.service-connect:80",
    ]);
    expect(text).not.toContain("endpoints healthy");
  });

  it("accepts the alias with its port", async () => {
    const text = await whois("nginx.service-connect:80");

    expect(text.split("\n")[0]).toContain("2 of 2 endpoints healthy");
  });

  it("says api.internal.local resolves through VPC DNS and puts the unhealthy endpoint first", async () => {
    const text = await whois("api.internal.local");
    const endpoints = text.slice(text.indexOf("Endpoints"));

    expect(text).toContain(
      "Resolvable by any client in VPCs vpc-0b1e2c3d4e5f60718, vpc-0d2e3f4a5b6c70819 through VPC DNS",
    );
    expect(endpoints.split("\n")[1]).toContain(
      "✖ UNHEALTHY 10.0.3.103:8080 ap-northeast-1d · Cloud Map UNHEALTHY · ECS RUNNING/UNHEALTHY",
    );
    expect(text.split("\n")[0]).toContain("2 of 3 endpoints healthy");
  });

  it("names the task and service behind a task IP", async () => {
    const text = await whois("10.0.2.47");

    expect(text.split("\n")[0]).toBe(
      "10.0.2.47 → task 1a2b3c4d5e6f47a8b9c0d1e2f3a4b502 of tutorial/service-connect-nginx-service (RUNNING, HEALTHY), serves nginx.service-connect:80",
    );
  });

  it("shows an unhealthy task among its service's endpoints, and never calls the whole name unhealthy", async () => {
    const text = await whois("10.0.3.103");

    expect(text.split("\n")[0]).toBe(
      "10.0.3.103 → task 5e6f7a8b9c0d41e2f3a4b5c6d7e8f906 of ecs_service_discovery/api-service (RUNNING, UNHEALTHY), serves api.service-connect:8080",
    );
    expect(text).toMatch(/✖ UNHEALTHY 10\.0\.3\.103:8080 .* ◀ the task you asked about/);
    expect(text).toMatch(/✔ healthy 10\.0\.1\.101:8080/);
    expect(text).not.toContain("no endpoint is healthy");
  });

  it("names a service's target groups as the way in, never 'only its task IPs'", async () => {
    const web = fleet.services.find(
      (s) => s.serviceName === "web-frontend" && s.clusterArn?.endsWith("/tutorial"),
    );
    const worker = fleet.services.find((s) => s.serviceName === "billing-worker");
    if (!web || !worker) throw new Error("the demo fleet lacks web-frontend or billing-worker");
    const saved = [web.loadBalancers, worker.loadBalancers];
    web.loadBalancers = [
      {
        targetGroupArn:
          "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/web-frontend-tg/73e2d6bc24d8a067",
        containerName: "web",
        containerPort: 8080,
      },
    ];
    // The shape of AWS's own classic ELB example (ecs create-service, loadBalancerName).
    worker.loadBalancers = [
      {
        loadBalancerName: "EC2Contai-EcsElast-123456789012",
        containerName: "worker",
        containerPort: 80,
      },
    ];
    try {
      const client = await whois("tutorial/web-frontend");
      const nameless = await whois("billing-worker");

      expect(client).toContain(
        "callers reach it through its load balancer: target group web-frontend-tg (container web, port 8080)",
      );
      expect(nameless).toContain(
        "callers reach it through its load balancer: Classic Load Balancer EC2Contai-EcsElast-123456789012 (container worker, port 80)",
      );
      for (const text of [client, nameless]) {
        expect(text).not.toMatch(
          /only by task IP|only its task IPs|need its task IPs or a load balancer/,
        );
      }
    } finally {
      [web.loadBalancers, worker.loadBalancers] = saved;
    }
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
      "namespaces internal.local, service-connect, staging; clusters ecs_service_discovery, staging, tutorial",
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
        /Partial answer: could not read the tasks of tutorial\/service-connect-nginx-service: AWS throttled DescribeTasks/,
      );
      // Unread tasks are unknown: never stale, never "0 healthy".
      expect(text).toContain("2 endpoints registered, their ECS state unread");
      expect(text).toMatch(/\? UNKNOWN 10\.0\.1\.23:80 .*its ECS task could not be read/);
      expect(text).not.toMatch(/STALE|dead IP/);
    } finally {
      aws.emulator.setThrottleRate(0);
    }
  });

  it("names in the first line a cluster the search could not list: it may hold another owner of the name", async () => {
    aws.emulator.setDenied(["ECS.ListServices:ecs_service_discovery"]);
    try {
      const text = await whois("redis.service-connect");

      expect(text.split("\n")[0]).toMatch(
        /^redis\.service-connect → Service Connect alias of tutorial\/session-cache, .* \(partial: could not read the services of cluster ecs_service_discovery\)$/,
      );
    } finally {
      aws.emulator.setDenied([]);
    }
  });

  it("keeps the Cloud Map endpoints when DescribeServices is denied, and says the rest is unknown", async () => {
    aws.emulator.setDenied(["ECS.DescribeServices"]);
    try {
      const text = await whois("nginx.service-connect");

      expect(text.split("\n")[0]).toBe(
        "nginx.service-connect → Cloud Map name in an HTTP namespace of tutorial/service-connect-nginx-service, 2 of 2 endpoints healthy (partial: could not read the ECS service tutorial/service-connect-nginx-service)",
      );
      expect(text).toContain("ECS service state could not be read");
      expect(text).toMatch(/✔ healthy 10\.0\.1\.23:80 .*Cloud Map HEALTHY · ECS RUNNING\/HEALTHY/);
      expect(text).toMatch(
        /Partial answer: could not read the ECS service tutorial\/service-connect-nginx-service/,
      );
    } finally {
      aws.emulator.setDenied([]);
    }
  });

  it("answers a TCP alias declared without dnsName, joining its Cloud Map instance to the task by IP", async () => {
    const text = await whois("redis.service-connect");

    expect(text.split("\n")[0]).toBe(
      "redis.service-connect → Service Connect alias of tutorial/session-cache, port redis (6379/tcp), 1 of 1 endpoint healthy",
    );
    expect(text).toContain(
      "Container redis · port name redis · containerPort 6379 · no appProtocol (TCP)",
    );
    // The instance carries no ECS attributes and is not named after its task.
    expect(text).toMatch(
      /✔ healthy 10\.0\.3\.60:6379 ap-northeast-1d · Cloud Map registered \(no health check\) · ECS RUNNING\/UNKNOWN · task 9c0d1e2f3a4b/,
    );
  });

  it("lists every name a bare word stands for, exactly as it must be typed", async () => {
    const text = await whois("api");

    expect(text.split("\n")[0]).toBe(
      "api matches 3 names. To ask about one alone, type it exactly: api.internal.local, api.service-connect, api.staging",
    );
    expect(text).not.toMatch(/^api → /m);
  });

  it("calls a task of a client-only service a Service Connect client, not a service without names", async () => {
    const text = await whois("10.0.1.88");

    expect(text.split("\n")[0]).toBe(
      "10.0.1.88 → task 2b3c4d5e6f7a48b9c0d1e2f3a4b5c603 of tutorial/web-frontend (RUNNING, HEALTHY), a Service Connect client of namespace service-connect (it resolves that namespace's aliases and publishes none)",
    );
    expect(text).not.toContain("neither Service Connect nor");
  });

  it("answers for a service given by an old short-format ARN", async () => {
    const text = await whois("arn:aws:ecs:ap-northeast-1:123456789012:service/legacy-report");

    expect(text.split("\n")[0]).toBe(
      "arn:aws:ecs:ap-northeast-1:123456789012:service/legacy-report → ECS service tutorial/legacy-report, a Service Connect client of namespace service-connect (it resolves that namespace's aliases and publishes none), 1 of 1 tasks running",
    );
  });

  it("says what a Lambda or an EC2 host can use instead of a Service Connect alias", async () => {
    const api = await whois("api.service-connect");
    const nginx = await whois("nginx.service-connect");

    // api-service also has a Service Discovery DNS name: that is the one to use.
    expect(api).toContain(
      "instead they can use api.internal.local (this service's Service Discovery DNS name, resolvable through VPC DNS)",
    );
    // nginx has none: the API, a load balancer, or the command that gives it a DNS name.
    expect(nginx).toContain(
      "aws servicediscovery discover-instances --namespace-name service-connect --service-name nginx",
    );
    expect(nginx).toContain(
      "aws ecs update-service --cluster tutorial --service service-connect-nginx-service --service-registries registryArn=",
    );
  });
});

describe("/ecs whois on AWS's own published Service Connect objects", () => {
  it("resolves nginx.service-connect from a create-service answer whose alias has no dnsName", async () => {
    const official = await useEmulatedAws(officialServiceConnectFleet());
    try {
      const text = renderText(
        (await runEcsCommand("whois nginx.service-connect", () => awsContext("us-west-2"))).doc,
      );

      expect(text.split("\n")[0]).toBe(
        "nginx.service-connect → Service Connect alias of tutorial/service-connect-nginx-service, port nginx (80/http), 0 of 0 endpoints healthy",
      );
      expect(text).toContain("Client aliases nginx.service-connect:80");
      expect(text).not.toContain("Not found");
    } finally {
      await official.stop();
    }
  });
});
