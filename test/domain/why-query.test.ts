import { describe, expect, it } from "vitest";
import { parseWhy } from "../../src/domain/why-query.ts";

describe("parseWhy", () => {
  it("takes a Lambda by name or ARN, and a service by cluster/name", () => {
    expect(parseWhy("lambda:order-webhook api.internal.local")).toMatchObject({
      kind: "pair",
      client: { kind: "lambda", name: "order-webhook" },
      target: { kind: "dotted-name", name: "api.internal.local" },
    });
    expect(
      parseWhy("arn:aws:lambda:ap-northeast-1:123456789012:function:order-webhook 10.0.1.101"),
    ).toMatchObject({
      client: { kind: "lambda", name: "order-webhook" },
      target: { kind: "ipv4" },
    });
    expect(parseWhy("tutorial/web-frontend nginx.service-connect:80")).toMatchObject({
      client: { kind: "ecs", query: { kind: "cluster-service", service: "web-frontend" } },
      target: { port: 80 },
    });
  });

  it("refuses the same name twice, in any case", () => {
    expect(parseWhy("Tutorial/Web tutorial/web")).toMatchObject({
      kind: "invalid",
      reason: "the client and the target are the same",
    });
  });
});
