import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsContext } from "../../../src/commands/reads/aws-context.ts";
import { scopeLabel } from "../../../src/commands/reads/scope.ts";
import { runEcsCommand } from "../../../src/commands/router.ts";
import { renderText } from "../../../src/render/text.ts";
import { useEmulatedAws } from "../../support/emulated-aws.ts";

// What a digest says it covers, in its title and its progress line: each name once, and which
// are clusters and which namespaces only when the scope has both kinds.

describe("scopeLabel", () => {
  it("names clusters alone, or namespaces alone, plainly", () => {
    expect(scopeLabel({ clusters: ["tutorial", "staging"], namespaces: [] })).toBe(
      "tutorial, staging",
    );
    expect(scopeLabel({ clusters: [], namespaces: ["service-connect"] })).toBe("service-connect");
    expect(scopeLabel({ clusters: "all", namespaces: [] })).toBe("every cluster");
  });

  it("names a name that is both a cluster and a namespace once", () => {
    expect(scopeLabel({ clusters: ["staging"], namespaces: ["staging"] })).toBe("staging");
    expect(scopeLabel({ clusters: ["staging", "tutorial"], namespaces: ["staging"] })).toBe(
      "cluster and namespace staging; cluster tutorial",
    );
  });

  it("says which are clusters and which namespaces when the scope has both", () => {
    expect(scopeLabel({ clusters: ["tutorial"], namespaces: ["service-connect"] })).toBe(
      "cluster tutorial; namespace service-connect",
    );
    expect(
      scopeLabel({ clusters: ["tutorial", "payments"], namespaces: ["mesh", "internal.local"] }),
    ).toBe("clusters tutorial, payments; namespaces mesh, internal.local");
    expect(scopeLabel({ clusters: "all", namespaces: ["mesh"] })).toBe(
      "every cluster; namespace mesh",
    );
    expect(scopeLabel({ clusters: "all", namespaces: "all" })).toBe(
      "every cluster and every namespace",
    );
  });
});

describe("/ecs digest's title on the demo fleet", () => {
  let aws: Awaited<ReturnType<typeof useEmulatedAws>>;
  beforeAll(async () => {
    aws = await useEmulatedAws();
  });
  afterAll(async () => {
    await aws.stop();
  });
  const title = async (text: string) =>
    renderText((await runEcsCommand(text, () => awsContext("ap-northeast-1"))).doc).split(
      " at ",
    )[0];

  it("titles `digest staging tutorial` with each name once (staging is a cluster and a namespace)", async () => {
    expect(await title("digest staging tutorial")).toBe(
      "Digest (cluster and namespace staging; cluster tutorial)",
    );
  });

  it("titles `digest tutorial service-connect` with a cluster and a namespace told apart", async () => {
    expect(await title("digest tutorial service-connect")).toBe(
      "Digest (cluster tutorial; namespace service-connect)",
    );
  });
});
