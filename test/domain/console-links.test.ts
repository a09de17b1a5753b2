import { describe, expect, it } from "vitest";
import {
  awsLogsOf,
  awsLogsStream,
  containerLogsUrl,
  ecsServiceUrl,
  ecsTaskUrl,
  logGroupUrl,
  logStreamUrl,
  logsFragmentName,
  placeOfArn,
  securityGroupUrl,
  targetGroupUrl,
} from "../../src/domain/console-links.ts";

const tokyo = { partition: "aws", region: "ap-northeast-1", account: "123456789012" };
const beijing = { partition: "aws-cn", region: "cn-north-1" };
const govWest = { partition: "aws-us-gov", region: "us-gov-west-1" };

describe("console links: ECS", () => {
  it("opens a service's health tab in the ECS console of its region", () => {
    expect(ecsServiceUrl(tokyo, "tutorial", "web-frontend")).toBe(
      "https://ap-northeast-1.console.aws.amazon.com/ecs/v2/clusters/tutorial/services/web-frontend/health?region=ap-northeast-1",
    );
  });

  it("opens a task's configuration tab", () => {
    expect(ecsTaskUrl(tokyo, "ecs_service_discovery", "5e6f7a8b9c0d41e2f3a4b5c6d7e8f906")).toBe(
      "https://ap-northeast-1.console.aws.amazon.com/ecs/v2/clusters/ecs_service_discovery/tasks/5e6f7a8b9c0d41e2f3a4b5c6d7e8f906/configuration?region=ap-northeast-1",
    );
  });

  it("encodes every part of a hostile cluster or service name, so it cannot leave its path segment", () => {
    const url = ecsServiceUrl(tokyo, "a/../b?x=1#y", "svc&region=us-east-1") ?? "";
    expect(url).toBe(
      "https://ap-northeast-1.console.aws.amazon.com/ecs/v2/clusters/a%2F..%2Fb%3Fx%3D1%23y/services/svc%26region%3Dus-east-1/health?region=ap-northeast-1",
    );
    expect(new URL(url).searchParams.getAll("region")).toEqual(["ap-northeast-1"]);
  });

  it("gives no link without a cluster, a name or a real region", () => {
    expect(ecsServiceUrl(tokyo, "", "svc")).toBeUndefined();
    expect(ecsTaskUrl(tokyo, "c", "")).toBeUndefined();
    expect(ecsServiceUrl({ partition: "aws", region: "evil.com/x" }, "c", "s")).toBeUndefined();
  });
});

describe("console links: partitions", () => {
  it("reads partition, region and account from the resource's ARN", () => {
    expect(placeOfArn("arn:aws-cn:ecs:cn-north-1:111122223333:service/prod/api")).toEqual({
      partition: "aws-cn",
      region: "cn-north-1",
      account: "111122223333",
    });
    expect(placeOfArn("not an arn")).toBeUndefined();
    expect(placeOfArn("arn:aws:iam::123456789012:role/x")).toBeUndefined();
  });

  it("uses the China console for aws-cn and the GovCloud console for aws-us-gov", () => {
    expect(ecsServiceUrl(beijing, "prod", "api")).toBe(
      "https://console.amazonaws.cn/ecs/v2/clusters/prod/services/api/health?region=cn-north-1",
    );
    expect(securityGroupUrl(govWest, "sg-0123456789abcdef0")).toBe(
      "https://console.amazonaws-us-gov.com/ec2/home?region=us-gov-west-1#SecurityGroup:groupId=sg-0123456789abcdef0",
    );
  });

  it("gives no link in a partition with no public console", () => {
    expect(
      ecsServiceUrl({ partition: "aws-iso", region: "us-iso-east-1" }, "c", "s"),
    ).toBeUndefined();
  });
});

describe("console links: EC2", () => {
  it("opens a security group by its ID, and nothing for what is no group ID", () => {
    expect(securityGroupUrl(tokyo, "sg-0a1b2c3d4e5f60718")).toBe(
      "https://ap-northeast-1.console.aws.amazon.com/ec2/home?region=ap-northeast-1#SecurityGroup:groupId=sg-0a1b2c3d4e5f60718",
    );
    expect(securityGroupUrl(tokyo, "sg-1#x")).toBeUndefined();
  });

  it("opens a target group in the region and partition of its ARN", () => {
    const arn =
      "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067";
    expect(targetGroupUrl(arn)).toBe(
      `https://us-west-2.console.aws.amazon.com/ec2/home?region=us-west-2#TargetGroup:targetGroupArn=${arn}`,
    );
    expect(
      targetGroupUrl("arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/x#y/1"),
    ).toBeUndefined();
  });
});

describe("console links: CloudWatch Logs", () => {
  it("encodes a log group and stream as the console writes them in its fragment", () => {
    // A stream link the console itself made (a Lambda function's stream, as copied from its address bar).
    expect(
      logStreamUrl(
        tokyo,
        "/aws/lambda/hoge-lambda",
        "2020/10/27/[$LATEST]542bf48a98944249b069342e12861b99",
      ),
    ).toBe(
      "https://ap-northeast-1.console.aws.amazon.com/cloudwatch/home?region=ap-northeast-1#logsV2:log-groups/log-group/$252Faws$252Flambda$252Fhoge-lambda/log-events/2020$252F10$252F27$252F$255B$2524LATEST$255D542bf48a98944249b069342e12861b99",
    );
  });

  it("leaves no character of a hostile name that could end the fragment's part or the URL", () => {
    const encoded = logsFragmentName("a/b c#d?e&f'g(h)i!j~k*l%m\"n<o>");
    expect(encoded).toMatch(/^[A-Za-z0-9$._-]+$/);
    expect(decodeURIComponent(decodeURIComponent(encoded.replace(/\$/g, "%")))).toBe(
      "a/b c#d?e&f'g(h)i!j~k*l%m\"n<o>",
    );
  });

  it("opens a log group alone", () => {
    expect(logGroupUrl(tokyo, "/ecs/api")).toBe(
      "https://ap-northeast-1.console.aws.amazon.com/cloudwatch/home?region=ap-northeast-1#logsV2:log-groups/log-group/$252Fecs$252Fapi",
    );
  });
});

describe("console links: a task's awslogs stream", () => {
  const options = (o: Record<string, string>) => ({ logDriver: "awslogs", options: o });

  it("reads the awslogs options of a container, and nothing of another log driver", () => {
    expect(
      awsLogsOf(
        options({
          "awslogs-group": "/ecs/api",
          "awslogs-region": "ap-northeast-1",
          "awslogs-stream-prefix": "ecs",
        }),
      ),
    ).toEqual({ group: "/ecs/api", region: "ap-northeast-1", streamPrefix: "ecs" });
    expect(
      awsLogsOf({ logDriver: "awsfirelens", options: { Name: "cloudwatch" } }),
    ).toBeUndefined();
    expect(awsLogsOf(undefined)).toBeUndefined();
  });

  it("names the stream prefix/container/task-id", () => {
    expect(awsLogsStream({ group: "/ecs/api", streamPrefix: "ecs" }, "api", "3c4d5e6f")).toBe(
      "ecs/api/3c4d5e6f",
    );
  });

  it("links the stream when there is a prefix", () => {
    const logs = awsLogsOf(
      options({ "awslogs-group": "/ecs/api", "awslogs-stream-prefix": "ecs" }),
    );
    expect(logs && containerLogsUrl(tokyo, logs, "api", "3c4d5e6f")).toEqual({
      stream: true,
      url: "https://ap-northeast-1.console.aws.amazon.com/cloudwatch/home?region=ap-northeast-1#logsV2:log-groups/log-group/$252Fecs$252Fapi/log-events/ecs$252Fapi$252F3c4d5e6f",
    });
  });

  it("without a prefix (the stream is the Docker container ID), links the log group only", () => {
    const logs = awsLogsOf(options({ "awslogs-group": "/ecs/api" }));
    expect(logs && containerLogsUrl(tokyo, logs, "api", "3c4d5e6f")).toEqual({
      stream: false,
      url: "https://ap-northeast-1.console.aws.amazon.com/cloudwatch/home?region=ap-northeast-1#logsV2:log-groups/log-group/$252Fecs$252Fapi",
    });
  });

  it("opens the logs in awslogs-region when it differs from the task's region", () => {
    const logs = awsLogsOf(
      options({
        "awslogs-group": "central",
        "awslogs-region": "us-east-1",
        "awslogs-stream-prefix": "p",
      }),
    );
    const url = (logs && containerLogsUrl(tokyo, logs, "web", "abc")?.url) ?? "";
    expect(
      url.startsWith("https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#"),
    ).toBe(true);
  });
});
