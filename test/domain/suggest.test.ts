import { describe, expect, it } from "vitest";
import { closestNames } from "../../src/domain/suggest.ts";

const known = ["api.internal.local", "billing-worker", "nginx.service-connect", "web-frontend"];

describe("closestNames", () => {
  it("suggests nginx.service-connect for the typo ngnix", () => {
    expect(closestNames("ngnix", known)).toEqual(["nginx.service-connect"]);
  });

  it("suggests a service name one letter off", () => {
    expect(closestNames("biling-worker", known)).toEqual(["billing-worker"]);
  });

  it("suggests nothing for a name far from every known one", () => {
    expect(closestNames("payments", known)).toEqual([]);
  });
});
