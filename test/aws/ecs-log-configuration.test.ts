import { describe, expect, it } from "vitest";
import { ECS_HOST, ECS_TARGET, interceptJson, onlyNock, wireEcs } from "../support/aws-wire.ts";
import { wireFixture } from "../support/fixtures.ts";

onlyNock();

describe("EcsAdapter: a task definition's log configuration", () => {
  it("reads each container's log driver and awslogs options from DescribeTaskDefinition", async () => {
    // The Service Connect tutorial's register-task-definition answer (awslogs, with a prefix).
    interceptJson(
      ECS_HOST,
      `${ECS_TARGET}.DescribeTaskDefinition`,
      () => wireFixture("aws/describe-task-definition.service-connect-nginx.json"),
      [],
    );

    const td = await wireEcs().describeTaskDefinition("service-connect-nginx:1");

    expect(td.containers.map((c) => [c.name, c.logConfiguration])).toEqual([
      [
        "webserver",
        {
          logDriver: "awslogs",
          options: {
            "awslogs-group": "/ecs/service-connect-nginx",
            "awslogs-region": "ap-northeast-1",
            "awslogs-stream-prefix": "nginx",
          },
        },
      ],
    ]);
  });
});
