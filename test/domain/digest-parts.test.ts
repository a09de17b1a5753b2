import { describe, expect, it } from "vitest";
import { partsOf } from "../../src/domain/digest-parts.ts";

const services = (cluster: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({ cluster, service: `${cluster}-svc-${i}` }));

describe("the parts of a digest too large for one invocation", () => {
  it("keeps whole clusters together where they fit, largest first", () => {
    const parts = partsOf([...services("a", 2), ...services("b", 5), ...services("c", 3)], 5);
    expect(parts.map((p) => [...new Set(p.map((s) => s.cluster))])).toEqual([["b"], ["c", "a"]]);
  });

  it("cuts a cluster larger than a part, and loses or repeats no service", () => {
    const all = [...services("big", 7), ...services("small", 1)];
    const parts = partsOf(all, 3);
    expect(parts.every((p) => p.length <= 3)).toBe(true);
    expect(
      parts
        .flat()
        .map((s) => s.service)
        .sort(),
    ).toEqual(all.map((s) => s.service).sort());
  });
});
