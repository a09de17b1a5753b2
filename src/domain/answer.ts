import type { DigestResult } from "./digest.ts";
import type { Gap } from "./facts.ts";
import type { HealthReport } from "./health.ts";
import type { BalancerWhois } from "./load-balancing/whois.ts";
import type { IpFinding } from "./network-interface.ts";
import type { Resolution, UnpublishedPort } from "./resolution.ts";
import type { BalancerTraffic } from "./traffic/balancer.ts";
import type { TrafficTarget } from "./traffic/target.ts";
import type { TrafficWindow } from "./traffic/window.ts";
import type { TrafficReport } from "./traffic.ts";
import type { WhyReport } from "./why.ts";

/** Where the bot looked, so "not found" says what "everywhere" meant. */
export interface SearchScope {
  regions: string[];
  namespaces: string[];
  clusters: string[];
  /** The Elastic Load Balancing search, in words, when the query could name a balancer. */
  loadBalancers?: string;
  /** With several accounts or regions configured: what each place searched, in order. */
  places?: PlaceScope[];
}

export interface PlaceScope {
  label: string;
  namespaces: string[];
  clusters: string[];
  /** False when nothing could be read there (its role could not be assumed): not searched. */
  read: boolean;
  /** An IP asked about: whose network interface holds it there. */
  network?: IpFinding;
}

export type WhoisAnswer =
  | {
      kind: "found";
      query: string;
      resolutions: Resolution[];
      gaps: Gap[];
      /** Load balancers and target groups the query names (issue 24): beside any service. */
      balancers?: BalancerWhois[];
    }
  | {
      kind: "not-found";
      query: string;
      suggestions: string[];
      searched: SearchScope;
      gaps: Gap[];
      /** An IP's: what holds the address in the VPCs, and which tasks were searched. */
      network?: IpFinding;
      /** NAME:PORT whose name is published, but not on that port: the ports it is on. */
      unpublishedPort?: UnpublishedPort;
    }
  | { kind: "invalid"; query: string; reason: string };

/** Answers that found nothing to report on: the same for every command. */
export type Unanswered = Exclude<WhoisAnswer, { kind: "found" }>;

export type HealthAnswer =
  | { kind: "found"; query: string; reports: HealthReport[]; gaps: Gap[] }
  | Unanswered;

export type TrafficResult =
  | { kind: "report"; report: TrafficReport; target: TrafficTarget; viaAlias?: string }
  /** The service publishes nothing through Service Connect, so there are no metrics to read. */
  | { kind: "no-service-connect"; service: string; names: string[] }
  /**
   * A service without Service Connect behind a load balancer: its traffic is the balancer's
   * alone. `balancers` empty: its target groups could not be read (a gap says why).
   */
  | { kind: "balancer"; service: string; balancers: BalancerTraffic[] }
  /** CloudWatch could not be read; the gap says why. `balancers`: read apart, maybe read. */
  | { kind: "unread"; target: TrafficTarget; balancers?: BalancerTraffic[] }
  /** The ECS service could not be read, so which name to measure is unknown; the gap says why. */
  | { kind: "service-unread"; service: string };

export type TrafficAnswer =
  | { kind: "found"; query: string; window: TrafficWindow; results: TrafficResult[]; gaps: Gap[] }
  | Unanswered;

export type WhyAnswer =
  | { kind: "found"; query: string; reports: WhyReport[]; gaps: Gap[] }
  /** No ECS service, task or Lambda function answers to the client (gaps say what was unread). */
  | {
      kind: "client-not-found";
      query: string;
      client: string;
      /** The target as typed, for the questions to ask instead. */
      target: string;
      /** Clients that exist and were spelt nearly so: cluster/service. */
      suggestions: string[];
      gaps: Gap[];
    }
  /** The client or the target stands for several things: each listed, none judged. */
  | {
      kind: "ambiguous";
      query: string;
      role: "client" | "target";
      /** What was typed for that end. */
      typed: string;
      /** Each thing it stands for, exactly as it must be typed. */
      choices: string[];
      /** The other end, as typed. */
      other: string;
      gaps: Gap[];
    }
  /** The target was not found: whois's answer, with the client to ask the suggestions with. */
  | (Extract<WhoisAnswer, { kind: "not-found" }> & { client?: string })
  | Extract<WhoisAnswer, { kind: "invalid" }>;

export type DigestAnswer =
  | {
      kind: "found";
      query: string;
      result: DigestResult;
      quiet: boolean;
      incident?: IncidentOutcome;
    }
  | { kind: "stopped"; query: string; outcome: "stopped" | "not-running" }
  | {
      kind: "invalid";
      query: string;
      reason: string;
      /** Names that are no cluster and no namespace of the region: said in one line, no usage. */
      unknown?: UnknownScope;
      /** --every/--for asked outside Slack: the digest to run again in the terminal instead. */
      askAgain?: string;
    };

/** Names a digest was asked for that are neither a cluster nor a namespace there. */
export interface UnknownScope {
  names: string[];
  region: string;
  /** For each name that has some, the clusters and namespaces spelt nearly so. */
  suggestions: { name: string; like: string[] }[];
  /** The region's clusters and namespaces, when both were listed and there are few. */
  known?: { clusters: string[]; namespaces: string[] };
}

/** What became of `--every … --for …`: the first digest is posted either way. */
export type IncidentOutcome =
  | { kind: "started"; everyMinutes: number; until: Date }
  | { kind: "already-running"; everyMinutes: number; until: Date }
  | { kind: "failed"; reason: string };

/** How far a long command has come, for the message that stands in for its answer meanwhile. */
export interface CommandProgress {
  /** What is being read, in the user's words: "every cluster", "tutorial; mesh". */
  scope: string;
  /** Clusters whose services and tasks are read, once the services are listed. */
  clusters?: { done: number; total: number };
  /** Services judged, once they are known. */
  services?: { done: number; total: number };
}

/** Where a command was typed, and who wants to hear how far it has come. */
export interface CommandCall {
  /** The Slack channel: incident digests post there later. */
  channel?: string;
  /** The Slack user ID of who typed it: a mute records who muted, and `/ecs alerts` says so. */
  user?: string;
  /** Told as a long command (a digest) advances; short ones never call it. */
  onProgress?: (progress: CommandProgress) => void;
  /**
   * The whole of an answer already given (Details): read again, but a digest keeps no history
   * from it, so the next digest still says what changed since the one posted.
   */
  rereading?: boolean;
}
