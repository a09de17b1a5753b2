import nock from "nock";
import { afterEach, beforeAll, expect } from "vitest";

export const REGION = "ap-northeast-1";
export const ECS_HOST = `https://ecs.${REGION}.amazonaws.com`;
export const CLOUD_MAP_HOST = `https://servicediscovery.${REGION}.amazonaws.com`;
export const CLOUD_MAP_DATA_HOST = `https://data-servicediscovery.${REGION}.amazonaws.com`;

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
