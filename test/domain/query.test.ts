import { describe, expect, it } from "vitest";
import { parseQuery } from "../../src/domain/query.ts";

describe("parseQuery", () => {
  it.each([
    [
      "nginx.service-connect",
      {
        kind: "dotted-name",
        name: "nginx.service-connect",
        head: "nginx",
        tail: "service-connect",
      },
    ],
    ["nginx.service-connect:80", { kind: "dotted-name", name: "nginx.service-connect", port: 80 }],
    [
      "API.Internal.Local",
      { kind: "dotted-name", name: "api.internal.local", head: "api", tail: "internal.local" },
    ],
    ["nginx", { kind: "bare-name", name: "nginx" }],
    ["10.0.1.23", { kind: "ipv4", ip: "10.0.1.23" }],
    [
      "tutorial/service-connect-nginx-service",
      { kind: "cluster-service", cluster: "tutorial", service: "service-connect-nginx-service" },
    ],
    [
      "arn:aws:ecs:ap-northeast-1:123456789012:service/tutorial/service-connect-nginx-service",
      { kind: "service-arn", cluster: "tutorial", service: "service-connect-nginx-service" },
    ],
    [
      "arn:aws:ecs:ap-northeast-1:123456789012:task/tutorial/0f4e5d6c7b8a49e1a2b3c4d5e6f70801",
      { kind: "task-arn", cluster: "tutorial", taskId: "0f4e5d6c7b8a49e1a2b3c4d5e6f70801" },
    ],
    [
      "0f4e5d6c7b8a49e1a2b3c4d5e6f70801",
      { kind: "task-id", taskId: "0f4e5d6c7b8a49e1a2b3c4d5e6f70801" },
    ],
  ])("reads %s", (input, expected) => {
    expect(parseQuery(input)).toMatchObject(expected);
  });

  it.each([
    ["", "no name given"],
    ["x".repeat(300), "longer than 255"],
    ["<!channel>", "names contain only"],
    ["<@U123>", "names contain only"],
    ["`nginx`", "names contain only"],
    ["$(rm -rf /)", "without spaces"],
    ["nginx.ñ", "names contain only"],
    ["nginx:99999", "port is a number"],
    ["arn:aws:s3:::bucket", "only ECS service and task ARNs"],
  ])("refuses %j with a reason", (input, reason) => {
    const q = parseQuery(input);
    expect(q.kind).toBe("invalid");
    expect(q.kind === "invalid" && q.reason).toContain(reason);
  });
});
