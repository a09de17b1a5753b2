import { ECSClient } from "@aws-sdk/client-ecs";
import nock from "nock";
import { afterEach, beforeAll, expect } from "vitest";
import { TtlCache } from "../../src/aws/cache.ts";
import { EcsAdapter } from "../../src/aws/ecs.ts";

export const REGION = "ap-northeast-1";
export const ECS_HOST = `https://ecs.${REGION}.amazonaws.com`;
export const CLOUD_MAP_HOST = `https://servicediscovery.${REGION}.amazonaws.com`;
export const CLOUD_MAP_DATA_HOST = `https://data-servicediscovery.${REGION}.amazonaws.com`;

/** Obviously fake: these tests reach only nock. */
export const WIRE_CREDENTIALS = { accessKeyId: "AKIDTESTONLY", secretAccessKey: "test-secret" };

/** An ECS adapter on the real SDK client, one attempt per call, with a cache of its own. */
export const wireEcs = () =>
  new EcsAdapter(
    new ECSClient({ region: REGION, credentials: WIRE_CREDENTIALS, maxAttempts: 1 }),
    new TtlCache(),
    REGION,
  );

export const ECS_TARGET = "AmazonEC2ContainerServiceV20141113";
export const CLOUD_MAP_TARGET = "Route53AutoNaming_v20170314";

export interface SeenCall {
  target: string;
  body: Record<string, unknown>;
}

/**
 * Intercepts one AWS JSON 1.1 operation on a real endpoint, as the SDK sends it, and answers
 * with `reply(body)`. Records every request body so tests assert what went on the wire.
 */
export function interceptJson(
  host: string,
  target: string,
  reply: (body: Record<string, unknown>) => Record<string, unknown>,
  seen: SeenCall[],
  times = 1,
) {
  return nock(host, { reqheaders: { "x-amz-target": target } })
    .post("/")
    .times(times)
    .reply(
      200,
      (_uri, body) => {
        const parsed = (typeof body === "string" ? JSON.parse(body) : body) as Record<
          string,
          unknown
        >;
        seen.push({ target, body: parsed });
        return reply(parsed);
      },
      { "content-type": "application/x-amz-json-1.1" },
    );
}

/**
 * For a test file that talks to AWS only through nock: no real connection, and every interceptor
 * it set up must have been used by the end of each test.
 */
export function onlyNock(): void {
  beforeAll(() => {
    nock.disableNetConnect();
  });
  afterEach(() => {
    const pending = nock.pendingMocks();
    nock.cleanAll();
    expect(pending).toEqual([]);
  });
}
