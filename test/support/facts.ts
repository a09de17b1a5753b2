import type {
  DescribeServicesResponse,
  DescribeTaskDefinitionResponse,
  DescribeTasksResponse,
} from "@aws-sdk/client-ecs";
import type {
  DiscoverInstancesResponse,
  ListNamespacesResponse,
  ListServicesResponse,
} from "@aws-sdk/client-servicediscovery";
import { toInstance, toNamespace, toService } from "../../src/aws/cloud-map.ts";
import { toEcsService, toEcsTask, toTaskDefinition } from "../../src/aws/ecs-mapping.ts";
import type { CloudMapInstance, Namespace } from "../../src/domain/facts.ts";
import type { ServiceFacts } from "../../src/domain/resolution/service-facts.ts";
import { sdkFixture } from "./fixtures.ts";

// Builds domain facts from the recorded AWS responses in test/fixtures/aws, through the same
// mapping the adapters use, so domain tests run on the real shapes.

export function namespaces(): Namespace[] {
  return (sdkFixture<ListNamespacesResponse>("aws/list-namespaces.json").Namespaces ?? []).map(
    toNamespace,
  );
}

export function instances(file: string): CloudMapInstance[] {
  return (sdkFixture<DiscoverInstancesResponse>(file).Instances ?? []).map(toInstance);
}

export function nginxFacts(): ServiceFacts {
  const service = toEcsService(
    sdkFixture<DescribeServicesResponse>("aws/describe-services.tutorial.json").services?.[0] ?? {},
  );
  const tasks = (
    sdkFixture<DescribeTasksResponse>("aws/describe-tasks.nginx.json").tasks ?? []
  ).map(toEcsTask);
  const td = sdkFixture<DescribeTaskDefinitionResponse>(
    "aws/describe-task-definition.service-connect-nginx.json",
  );
  return {
    ref: { cluster: "tutorial", service: "service-connect-nginx-service" },
    service,
    taskDefinition: toTaskDefinition(td.taskDefinition ?? {}),
    tasks,
    tasksComplete: true,
    namespaces: namespaces(),
    cloudMapServices: [
      {
        id: "srv-tsw4bbsna23fxcjx",
        arn: "arn:aws:servicediscovery:ap-northeast-1:123456789012:service/srv-tsw4bbsna23fxcjx",
        name: "nginx",
        namespaceId: "ns-vdpucf3aztj23ecw",
        dnsRecords: [],
        createdAt: new Date("2026-11-20T09:00:01.874Z"),
      },
    ],
    instances: new Map([["srv-tsw4bbsna23fxcjx", instances("aws/discover-instances.nginx.json")]]),
    namespaceServices: new Map([
      [
        "arn:aws:servicediscovery:ap-northeast-1:123456789012:namespace/ns-vdpucf3aztj23ecw",
        ["service-connect-nginx-service", "web-frontend"],
      ],
    ]),
    zoneVpcs: new Map(),
    gaps: [],
  };
}

export function apiFacts(): ServiceFacts {
  const service = toEcsService(
    sdkFixture<DescribeServicesResponse>("aws/describe-services.api-service.json").services?.[0] ??
      {},
  );
  const tasks = (sdkFixture<DescribeTasksResponse>("aws/describe-tasks.api.json").tasks ?? []).map(
    toEcsTask,
  );
  const td = sdkFixture<DescribeTaskDefinitionResponse>("aws/describe-task-definition.api.json");
  const listed = sdkFixture<ListServicesResponse>("aws/list-services.internal-local.json");
  return {
    ref: { cluster: "ecs_service_discovery", service: "api-service" },
    service,
    taskDefinition: toTaskDefinition(td.taskDefinition ?? {}),
    tasks,
    tasksComplete: true,
    namespaces: namespaces(),
    cloudMapServices: (listed.Services ?? []).map((s) => toService(s, "ns-uejictsjen2i4eeg")),
    instances: new Map([["srv-utcrh6wavdkggqtk", instances("aws/discover-instances.api.json")]]),
    namespaceServices: new Map(),
    zoneVpcs: new Map([["Z0EXAMPLE1INTERNAL0LCL", ["vpc-0b1e2c3d4e5f60718"]]]),
    gaps: [],
  };
}
