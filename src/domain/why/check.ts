// One link of a why answer, and how to open it when it is broken.

export type WhyLayer = "name" | "path" | "app";
export type CheckStatus = "ok" | "broken" | "unknown" | "note";

export interface WhyCheck {
  layer: WhyLayer;
  link: string;
  status: CheckStatus;
  detail: string;
  /** An AWS CLI command that would open a broken link (a hop's own); the bot never runs it. */
  fix?: string;
  /** What opens it, as data, when more than a bare command: words, a question to ask instead. */
  remedy?: Remedy;
}

/** How to open one broken link, before it is tied to the link. */
export interface Remedy {
  /** An AWS CLI command to copy; absent when no command opens it (advice only). */
  command?: string;
  /** A bot question to ask instead (`/ecs why …`), shown as code like a command. */
  ask?: string;
  /** What to do, in words. */
  advice: string;
  /** Every resource the fix names (IDs, cluster/service, namespace): all of its own link. */
  resources: string[];
  /** It starts a new deployment: applied after the rules, so one deployment meets them open. */
  startsDeployment?: boolean;
}

/** One fix of one broken link: the renderer shows `command`/`ask` as code, `advice` as words. */
export interface WhyFix extends Remedy {
  /** The broken link it opens (a check's `link`). */
  link: string;
  layer: WhyLayer;
}
