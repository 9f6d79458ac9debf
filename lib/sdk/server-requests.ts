/** A JSON-RPC message as it crosses the session link. */
export type RpcMessage = Record<string, unknown> & {
  id?: string | number;
  method?: string;
  params?: Record<string, unknown>;
};

/** Where a client's message about a server-to-client request belongs. */
export type ReplyRoute =
  /** This instance's server waits for it: `message` carries the server's own id again. */
  | { to: 'here'; message: RpcMessage }
  /** The server of instance `instance` sent the request. */
  | { to: 'instance'; instance: string }
  /** This instance sent it, but nothing waits for it any more (answered, timed out, closed). */
  | { to: 'nobody'; id: string };

/** Wire ids of every session of this process are drawn from one sequence. */
let sequence = 0;

/** `params.progressToken` of a progress notification, or `id` of a response. */
function referenceOf(message: RpcMessage): unknown {
  if (message.method === undefined) return 'id' in message ? message.id : undefined;
  if (message.method === 'notifications/progress') return message.params?.progressToken;
  return undefined;
}

/**
 * The requests one session's server sends the client, renamed on the wire
 * so that any instance can tell where the answer belongs: the server's own
 * id (`0`, `1`, ... in every server) goes out as `<instanceId>:<n>`, with
 * `n` unique in this process, and comes back as it was. Progress tokens equal
 * to the id (the SDK's choice) and cancellations of these requests are
 * renamed the same way.
 */
export class ServerRequests {
  private readonly byWire = new Map<string, string | number>();
  private readonly byOriginal = new Map<string | number, string>();

  constructor(private readonly instanceId: string) {}

  /** How many of this server's requests wait for an answer. */
  get pending(): number {
    return this.byWire.size;
  }

  /** A copy of the outgoing request `message` under its wire id, now pending. */
  tag(message: RpcMessage): RpcMessage {
    const original = message.id as string | number;
    const wire = `${this.instanceId}:${++sequence}`;
    this.byWire.set(wire, original);
    this.byOriginal.set(original, wire);
    const tagged: RpcMessage = { ...message, id: wire };
    const meta = message.params?._meta as Record<string, unknown> | undefined;
    if (meta !== undefined && meta.progressToken === original) {
      tagged.params = { ...message.params, _meta: { ...meta, progressToken: wire } };
    }
    return tagged;
  }

  /**
   * The outgoing `notifications/cancelled` of a pending request, under its
   * wire id, and the wire id; the request no longer waits. `undefined` for
   * any other message.
   */
  cancellation(message: RpcMessage): { message: RpcMessage; wire: string } | undefined {
    if (message.method !== 'notifications/cancelled') return undefined;
    const original = message.params?.requestId as string | number | undefined;
    const wire = original === undefined ? undefined : this.byOriginal.get(original);
    if (wire === undefined) return undefined;
    this.settle(wire);
    return { message: { ...message, params: { ...message.params, requestId: wire } }, wire };
  }

  /**
   * Where a message from the client belongs, when it answers (or reports
   * progress on) a server-to-client request; `undefined` for every other
   * message, and for ids this module never issued.
   */
  route(message: RpcMessage): ReplyRoute | undefined {
    const wire = referenceOf(message);
    if (typeof wire !== 'string') return undefined;
    const at = wire.lastIndexOf(':');
    if (at <= 0 || !/^\d+$/.test(wire.slice(at + 1))) return undefined;
    const instance = wire.slice(0, at);
    if (instance !== this.instanceId) return { to: 'instance', instance };
    const original = this.byWire.get(wire);
    if (original === undefined) return { to: 'nobody', id: wire };
    if (message.method === undefined) {
      this.settle(wire);
      return { to: 'here', message: { ...message, id: original } };
    }
    const params = { ...message.params, progressToken: original };
    return { to: 'here', message: { ...message, params } };
  }

  private settle(wire: string): void {
    const original = this.byWire.get(wire);
    this.byWire.delete(wire);
    if (original !== undefined) this.byOriginal.delete(original);
  }
}
