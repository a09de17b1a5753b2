import type { Fleet, FleetService, FleetTaskDefinition } from "../../emulator/fleet/types.ts";
import { wireFixture } from "./fixtures.ts";

// A fleet made of AWS's own published objects, in us-west-2 as AWS published them: the Service
// Connect tutorial's create-service response (an alias with no dnsName, the namespace given by
// name), the namespace ECS created for it, and the tutorial's task definition. AWS publishes no
// Cloud Map service or instance for Service Connect: the Cloud Map service is the one its
// serviceConnectResources names, with no instance yet (the service has just been created).

const REGION = "us-west-2";

export function officialServiceConnectFleet(): Fleet {
  const { service } = wireFixture("aws/official/create-service.service-connect.json") as {
    service: FleetService;
  };
  const { Namespace } = wireFixture("aws/official/get-namespace.service-connect.json") as {
    Namespace: Fleet["namespaces"][number];
  };
  // The tutorial registered the task definition in ap-northeast-1; the same one, in us-west-2.
  const { taskDefinition } = JSON.parse(
    JSON.stringify(
      wireFixture("aws/tutorial/register-task-definition.service-connect-nginx.json"),
    ).replaceAll("ap-northeast-1", REGION),
  ) as { taskDefinition: FleetTaskDefinition };
  const resource = service.deployments?.[0]?.serviceConnectResources?.[0];
  return {
    region: REGION,
    accountId: "123456789012",
    clusters: [{ clusterArn: service.clusterArn, clusterName: "tutorial", status: "ACTIVE" }],
    services: [service],
    tasks: [],
    taskDefinitions: [taskDefinition],
    namespaces: [Namespace],
    cloudMapServices: [
      {
        Id: resource?.discoveryArn?.split("/").pop() ?? "",
        Arn: resource?.discoveryArn ?? "",
        Name: resource?.discoveryName ?? "",
        NamespaceId: Namespace.Id,
        Type: "HTTP",
        CreateDate: service.createdAt,
      },
    ],
    instances: [],
    hostedZones: [],
  };
}
