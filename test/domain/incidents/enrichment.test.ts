import { describe, expect, it } from "vitest";
import type { DeploymentRef } from "../../../src/domain/facts.ts";
import { classify } from "../../../src/domain/incidents/classify.ts";
import {
  deploymentBefore,
  deploymentText,
  placeOfEvent,
  taskDefinitionChange,
  withEnrichment,
} from "../../../src/domain/incidents/enrichment.ts";
import { step } from "../../../src/domain/incidents/machine.ts";
import type { Place } from "../../../src/domain/places.ts";
import { oomStop } from "./events.ts";

// What a fresh read adds to an incident, decided without AWS: which deployment started before
// it and what it changed, and which account and region the service is read in.

const TD = "arn:aws:ecs:us-west-2:111122223333:task-definition";
const deployment = (id: string, status: string, rev: number, at: string): DeploymentRef => ({
  id,
  status,
  taskDefinitionArn: `${TD}/api:${rev}`,
  createdAt: new Date(at),
  rolloutState: status === "PRIMARY" ? "IN_PROGRESS" : "COMPLETED",
});

describe("the deployment before an incident", () => {
  const deployments = [
    deployment("ecs-svc/2", "PRIMARY", 13, "2026-12-06T09:55:00Z"),
    deployment("ecs-svc/1", "ACTIVE", 12, "2026-12-01T08:00:00Z"),
  ];

  it("is the last one started before it opened, with the task definition it changed from", () => {
    const found = deploymentBefore(deployments, new Date("2026-12-06T10:00:00Z"));
    expect(found.taskDefinition && taskDefinitionChange(found.taskDefinition)).toBe(
      "api:12 → api:13",
    );
    expect(deploymentText({ readAt: "", gaps: [], ...found }, "2026-12-06T10:00:00.000Z")).toBe(
      "deployment ecs-svc/2 started 2026-12-06 09:55 UTC, 5 min before, IN_PROGRESS",
    );
  });

  it("is never one started after the incident opened (it did not cause it)", () => {
    const found = deploymentBefore(deployments, new Date("2026-12-03T10:00:00Z"));
    expect(found.deployment?.id).toBe("ecs-svc/1");
    expect(found.taskDefinition).toEqual({ to: "api:12" });
  });

  it("names the one revision when ECS lists no earlier deployment", () => {
    const found = deploymentBefore(deployments.slice(0, 1), new Date("2026-12-06T10:00:00Z"));
    expect(found.taskDefinition && taskDefinitionChange(found.taskDefinition)).toBe("api:13");
  });
});

describe("the place an event's service is read in", () => {
  const places: Place[] = [
    { label: "us-west-2", region: "us-west-2" },
    {
      label: "prod (444455556666) us-east-1",
      region: "us-east-1",
      account: "444455556666",
      roleArn: "arn:aws:iam::444455556666:role/ecs-chatops-read",
    },
  ];

  it("is the member account's place, read through its role", () => {
    expect(placeOfEvent(places, "444455556666", "us-east-1", "111122223333")?.roleArn).toBe(
      "arn:aws:iam::444455556666:role/ecs-chatops-read",
    );
  });

  it("is the bot's own account in the event's region", () => {
    expect(placeOfEvent(places, "111122223333", "us-west-2", "111122223333")?.label).toBe(
      "us-west-2",
    );
    expect(placeOfEvent(places, "111122223333", "eu-west-1", "111122223333")).toEqual({
      label: "eu-west-1",
      region: "eu-west-1",
    });
  });

  it("is none for an account the bot is not configured to read", () => {
    expect(placeOfEvent(places, "999988887777", "us-west-2", "111122223333")).toBeUndefined();
    // A member account in a region it is not configured in is not the bot's own either.
    expect(placeOfEvent(places, "444455556666", "us-west-2")).toBeUndefined();
  });
});

describe("an enrichment kept in the incident", () => {
  const opened = step(undefined, classify(oomStop({ id: "s1" })), {
    now: new Date("2026-12-06T10:00:00Z"),
    channels: ["C1"],
    mutes: [],
  }).state;
  if (!opened?.incident) throw new Error("no incident");
  const enrichment = { readAt: "2026-12-06T10:00:01Z", level: "down", cause: "0 of 2", gaps: [] };

  it("goes into the incident it was read for, once", () => {
    const kept = withEnrichment(opened, "s1", enrichment);
    expect(kept.incident?.enrichment).toEqual(enrichment);
    const again = withEnrichment(kept, "s1", { ...enrichment, cause: "other" });
    expect(again.incident?.enrichment?.cause).toBe("0 of 2");
  });

  it("never into another incident (a newer one opened meanwhile)", () => {
    expect(withEnrichment(opened, "other", enrichment)).toBe(opened);
  });
});
