import type { TrafficAnswer, TrafficResult } from "../../domain/answer.ts";
import { graphWidget } from "../../domain/traffic/graph.ts";

import type { AwsContext } from "./aws-context.ts";
import type { AwsPlaces } from "./places.ts";

/** The PNG graph (requests, 5xx, p99) of a traffic answer's first measured name. */
export async function trafficGraph(
  aws: () => AwsContext,
  answer: TrafficAnswer,
): Promise<Uint8Array | undefined> {
  if (answer.kind !== "found") return undefined;
  const first = answer.results.find(
    (r): r is Extract<TrafficResult, { target: unknown }> =>
      r.kind === "report" || r.kind === "unread",
  );
  if (!first) return undefined;
  return aws().cloudWatch.getMetricWidgetImage(graphWidget(first.target, answer.window));
}

/**
 * For delivery code that holds a command's output: its traffic graph, if it is a traffic answer,
 * read in the place (account and region) where the name was found.
 */
export function graphOfOutput(aws: AwsPlaces) {
  return (output: {
    command: string;
    answer?: unknown;
    foundIn?: string[];
  }): Promise<Uint8Array | undefined> => {
    if (output.command !== "traffic") return Promise.resolve(undefined);
    const places = [aws()].flat();
    const ctx = places.find((c) => c.place.label === output.foundIn?.[0]) ?? places[0];
    if (!ctx) return Promise.resolve(undefined);
    return trafficGraph(() => ctx, output.answer as TrafficAnswer);
  };
}
