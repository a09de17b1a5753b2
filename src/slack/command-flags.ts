// Flags Slack users add to a command: they change how the answer is delivered, not what it says.

export interface CommandFlags {
  /** The command without the flags. */
  text: string;
  graph: boolean;
  /** --public / --private: override the channel's default visibility. */
  visibility?: "public" | "private";
}

const FLAGS = new Set(["--graph", "--public", "--private"]);

export function parseFlags(input: string): CommandFlags {
  const words = input.trim().split(/\s+/).filter(Boolean);
  const visibility = words.includes("--private")
    ? "private"
    : words.includes("--public")
      ? "public"
      : undefined;
  return {
    text: words.filter((w) => !FLAGS.has(w)).join(" "),
    graph: words.includes("--graph"),
    visibility,
  };
}

export type ResponseType = "ephemeral" | "in_channel";

export interface ChannelRef {
  id: string;
  name?: string;
}

/** Incident channels (listed, or named with the prefix) see answers by default; elsewhere only the asker. */
export function responseTypeFor(
  settings: { publicChannels: string[]; incidentChannelPrefix: string },
  channel: ChannelRef,
  visibility?: "public" | "private",
): ResponseType {
  if (visibility) return visibility === "public" ? "in_channel" : "ephemeral";
  const incident =
    settings.publicChannels.includes(channel.id) ||
    (settings.incidentChannelPrefix !== "" &&
      (channel.name ?? "").startsWith(settings.incidentChannelPrefix));
  return incident ? "in_channel" : "ephemeral";
}
