// CloudWatch Alarm State Change events (CloudWatch User Guide, "Alarm events and EventBridge"):
// ALARM opens the alarm's own incident, OK resolves it, INSUFFICIENT_DATA is kept quiet. An
// alarm on an ECS service (a metric with ServiceName and ClusterName dimensions, as AWS/ECS and
// Service Connect metrics have) names that service, so routes can match it by service too.

import type { Classified, Signal } from "./classify.ts";
import { arnParts, date, incidentKey, isRecord, type Raw, type Subject, text } from "./event.ts";

interface Envelope {
  id?: string;
  at?: Date;
  account?: string;
  region?: string;
}

/** The first ServiceName / ClusterName dimensions among the alarm's metrics. */
function serviceDimensions(detail: Raw): { service?: string; cluster?: string } {
  const configuration = isRecord(detail.configuration) ? detail.configuration : {};
  const metrics = Array.isArray(configuration.metrics) ? configuration.metrics : [];
  for (const metric of metrics) {
    const stat = isRecord(metric) && isRecord(metric.metricStat) ? metric.metricStat : undefined;
    const inner = stat && isRecord(stat.metric) ? stat.metric : undefined;
    const dimensions = inner && isRecord(inner.dimensions) ? inner.dimensions : undefined;
    const service = text(dimensions?.ServiceName);
    if (service) return { service, cluster: text(dimensions?.ClusterName) };
  }
  return {};
}

export function classifyAlarm(envelope: Envelope, detail: Raw, resources: unknown): Classified {
  const eventId = envelope.id;
  const name = text(detail.alarmName);
  const state = isRecord(detail.state) ? detail.state : {};
  const value = text(state.value);
  if (!name || !value) {
    return { outcome: "ignored", eventId, why: "alarm event without alarmName or state.value" };
  }
  const arn = Array.isArray(resources)
    ? resources.map((r) => (typeof r === "string" ? arnParts(r) : undefined)).find(Boolean)
    : undefined;
  const dimensions = serviceDimensions(detail);
  const subject: Subject = {
    account: envelope.account ?? arn?.account ?? "",
    region: envelope.region ?? arn?.region ?? "",
    cluster: dimensions.cluster ?? "",
    alarm: name,
    ...(dimensions.service ? { service: dimensions.service } : {}),
  };
  const at = envelope.at ?? date(state.timestamp);
  const key = incidentKey(subject);
  const reason = text(state.reason);
  if (value === "ALARM") {
    const signal: Signal = {
      kind: "alarm",
      severity: "error",
      summary: `alarm ${name} is ALARM${reason ? `: ${reason}` : ""}`,
      alarm: { name, ...(reason ? { reason } : {}) },
    };
    return { outcome: "incident", eventId, at, key, subject, signal };
  }
  if (value === "OK") {
    return {
      outcome: "resolves",
      eventId,
      at,
      key,
      subject,
      why: "alarm-ok",
      detail: `alarm ${name} is OK${reason ? `: ${reason}` : ""}`,
    };
  }
  return {
    outcome: "routine",
    eventId,
    at,
    key,
    subject,
    reason: "alarm-not-alarming",
    detail: `alarm ${name} is ${value}`,
  };
}
