// What is measured: one discovery name of one publisher, its protocol, and who may call it.

export interface Caller {
  service: string;
  cluster: string;
}

/** What Service Connect measures depends on the port's appProtocol (ECS API PortMapping). */
export type TrafficProtocol = "http" | "grpc" | "tcp";

export function protocolOf(appProtocol: string | undefined): TrafficProtocol {
  if (appProtocol === "http" || appProtocol === "http2") return "http";
  if (appProtocol === "grpc") return "grpc";
  // No appProtocol: ECS adds no protocol telemetry; only connections and bytes exist.
  return "tcp";
}

export interface TrafficTarget {
  /** What the user asked about, e.g. nginx.service-connect:80. */
  name: string;
  discoveryName: string;
  publisher: Caller;
  appProtocol?: string;
  /**
   * The task definition (and so the port's appProtocol) could not be read. An unknown protocol is
   * not TCP: the figures of HTTP and of TCP are both read, and the protocol is told from which
   * exist; otherwise an HTTP service's 5xx would go unread and the service would look healthy.
   */
  protocolUnread?: boolean;
  /** Service Connect services of the namespace that may call it (the publisher excluded). */
  candidates: Caller[];
  /** The namespace's services could not be read: the callers' side is unknown, not empty. */
  callersUnread?: boolean;
  /**
   * Possible callers left out of `candidates` because searches showed they have no series of
   * this name in the window: they count as callers that counted nothing.
   */
  silentCallers?: number;
}

/** The target without the callers known to be silent (indexes into its candidates). */
export function withoutSilentCallers(target: TrafficTarget, silent: Set<number>): TrafficTarget {
  if (silent.size === 0) return target;
  return {
    ...target,
    candidates: target.candidates.filter((_, i) => !silent.has(i)),
    silentCallers: (target.silentCallers ?? 0) + silent.size,
  };
}
