import type { Gap } from "./facts.ts";
import type { Resolution } from "./resolution.ts";

/** Where the bot looked, so "not found" says what "everywhere" meant. */
export interface SearchScope {
  regions: string[];
  namespaces: string[];
  clusters: string[];
}

export type WhoisAnswer =
  | { kind: "found"; query: string; resolutions: Resolution[]; gaps: Gap[] }
  | {
      kind: "not-found";
      query: string;
      suggestions: string[];
      searched: SearchScope;
      gaps: Gap[];
    }
  | { kind: "invalid"; query: string; reason: string };
