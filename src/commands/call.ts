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
  /** Told as a long command (a digest) advances; short ones never call it. */
  onProgress?: (progress: CommandProgress) => void;
}
