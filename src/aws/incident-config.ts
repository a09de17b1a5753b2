// What the notification function reads from SSM: the bot token and the routes (in the digest
// targets' parameter, beside `targets:`), in one GetParameters call, kept at most a minute so an
// operator's change to the routes applies within a minute without a redeploy.
import { parse } from "yaml";
import { type RoutesResult, routesFrom } from "../domain/incidents/routes.ts";
import { readParameters } from "./parameters.ts";

export interface IncidentConfig {
  botToken: string;
  routes: RoutesResult;
}

export interface ConfigRead {
  config: IncidentConfig;
  /** True when this call read SSM (route errors are logged once per read, not per event). */
  fresh: boolean;
}

/** Throws when SSM cannot be read or the token is missing: Lambda retries the event. */
export async function loadIncidentConfig(env: NodeJS.ProcessEnv): Promise<IncidentConfig> {
  const tokenName = env.SLACK_BOT_TOKEN_PARAM;
  const routesName = env.DIGEST_TARGETS_PARAM;
  const names = [tokenName, routesName].filter((n): n is string => Boolean(n));
  const { values } =
    names.length > 0
      ? await readParameters(names, {
          maxAttempts: 3,
          connectionTimeoutMs: 1_000,
          requestTimeoutMs: 3_000,
        })
      : { values: new Map<string, string>() };
  // Local runs (tests) may pass the token directly, as the Slack function allows.
  const botToken = (tokenName && values.get(tokenName)) || env.SLACK_BOT_TOKEN;
  if (!botToken) throw new Error("SLACK_BOT_TOKEN_PARAM must name the bot token's SSM parameter");
  const text = routesName ? values.get(routesName) : undefined;
  const routes =
    routesName && text !== undefined
      ? routesFrom(routesName, text, parse)
      : { configured: false, routes: [], errors: [] };
  return { botToken, routes };
}

/** The config of this container, re-read when older than `maxAgeMs`; a failed read does not stick. */
export class IncidentConfigCache {
  #read: { at: number; config: IncidentConfig } | undefined;

  constructor(
    private readonly load: () => Promise<IncidentConfig>,
    private readonly maxAgeMs = 60_000,
  ) {}

  async get(now = Date.now()): Promise<ConfigRead> {
    if (this.#read && now - this.#read.at < this.maxAgeMs) {
      return { config: this.#read.config, fresh: false };
    }
    const config = await this.load();
    this.#read = { at: now, config };
    return { config, fresh: true };
  }
}
