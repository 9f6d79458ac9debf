import type { LoggerService } from '@nestjs/common';
import { shortId } from '../contract/session-store.error';
import type { McpSessionMessageBus } from '../interfaces/session-message-bus.interface';
import { requestScope } from './request-scope';
import type { LegacyTransport } from './sdk-loader';
import { type ReplyRoute, type RpcMessage, ServerRequests } from './server-requests';
import type { SessionEvents } from './session-events';
import { isReplayId } from './session-replay';
import { applyChange, changeOf, type SdkSessionState, type StateChange } from './session-state';

type SendOptions = { relatedRequestId?: string | number } & Record<string, unknown>;

/** What a session link needs from the leg that owns it. */
export interface LinkHost {
  readonly bus: McpSessionMessageBus;
  readonly logger: LoggerService;
  /** Whether this instance holds the client's standalone GET stream of the session. */
  holdsStream(): boolean;
  /** Stores a state change with the session record (failures are logged, never thrown). */
  saveState(change: StateChange): Promise<void>;
}

/**
 * The `Transport` the application's server is connected to: it stands
 * between the server and the SDK transport of one 2025-era session and
 * carries what concerns other instances, through public APIs only.
 *
 * - Server-to-client requests go out under wire ids that name this instance
 *   ({@link ServerRequests}); an answer arriving here for another instance
 *   is forwarded to it on the bus, one for this instance goes to the server.
 * - A server message not tied to a request here (list changes, resource
 *   updates, log lines, standalone requests) goes to this instance's GET
 *   stream when it has one; else it is stored by the transport (with an event
 *   store, for the client's next GET) and offered to every instance: the one
 *   holding the stream writes it.
 * - Accepted `logging/setLevel` and `resources/(un)subscribe` requests are
 *   stored with the session before the client hears the answer.
 */
export class SessionLink {
  onmessage?: (message: unknown, extra?: unknown) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  /** The state this server has been given (log level, subscriptions). */
  state: SdkSessionState = {};
  private readonly requests: ServerRequests;
  /** Client requests in progress here: the stream they are answered on, the change they make. */
  private readonly serving = new Map<
    string | number,
    { streamId?: string; change?: StateChange }
  >();

  constructor(
    readonly transport: LegacyTransport,
    private readonly id: string,
    private readonly events: SessionEvents | undefined,
    private readonly host: LinkHost,
  ) {
    this.requests = new ServerRequests(host.bus.instanceId);
    const inner = transport as unknown as Record<string, unknown>;
    for (const name of [
      'setProtocolVersion',
      'setSupportedProtocolVersions',
      'setScopeChallengeResolver',
    ]) {
      const method = inner[name];
      if (typeof method === 'function') Object.assign(this, { [name]: method.bind(transport) });
    }
  }

  get sessionId(): string | undefined {
    return this.transport.sessionId;
  }

  /**
   * Whether the transport has an event store: only then do its requests run
   * in a request scope (the event store learns streams and replays from it).
   */
  get resumable(): boolean {
    return this.events !== undefined;
  }

  async start(): Promise<void> {
    const inner = this.transport as unknown as SessionLink;
    inner.onmessage = (message, extra) => this.receive(message as RpcMessage, extra);
    inner.onclose = () => {
      this.serving.clear();
      this.onclose?.();
    };
    inner.onerror = (error) => this.onerror?.(error);
    await this.transport.start();
  }

  close(): Promise<void> {
    return this.transport.close();
  }

  async send(message: RpcMessage, options?: SendOptions): Promise<void> {
    if (message.method !== undefined && message.id !== undefined) {
      return this.deliver(this.requests.tag(message), options);
    }
    const cancelled = this.requests.cancellation(message);
    if (cancelled !== undefined) {
      const reason = String(cancelled.message.params?.reason ?? 'cancelled');
      this.host.logger.warn(
        `Request ${cancelled.wire} to the client of session ${shortId(this.id)} got no answer: ${reason}`,
      );
      return this.deliver(cancelled.message, options);
    }
    if (message.method === undefined && message.id !== undefined) {
      const served = this.serving.get(message.id);
      this.serving.delete(message.id);
      if (served?.change !== undefined && 'result' in message) {
        this.state = applyChange(this.state, served.change);
        await this.host.saveState(served.change);
      }
      return this.transport.send(message as never, options as never);
    }
    return this.deliver(message, options);
  }

  /** Whether a client request in progress here is answered on SSE stream `streamId`. */
  answersOn(streamId: string): boolean {
    for (const served of this.serving.values()) if (served.streamId === streamId) return true;
    return false;
  }

  /** A client's message for a server request, forwarded by another instance. */
  deliverReply(message: RpcMessage): void {
    const route = this.requests.route(message);
    if (route?.to === 'here') this.onmessage?.(route.message, {});
    else this.unclaimed(route, message);
  }

  /** A message for the client's GET stream, which this instance holds, from another instance. */
  async deliverOutbound(message: RpcMessage, eventId: string | undefined): Promise<void> {
    if (eventId !== undefined) this.events?.known(message, eventId);
    await this.transport.send(message as never);
  }

  private async deliver(message: RpcMessage, options?: SendOptions): Promise<void> {
    if (options?.relatedRequestId !== undefined || this.host.holdsStream()) {
      return this.transport.send(message as never, options as never);
    }
    // With an event store, the transport stores it for the client's next GET.
    await this.transport.send(message as never, options as never);
    const eventId = this.events?.idOf(message) || undefined;
    const outbound = { kind: 'outbound' as const, sessionId: this.id, message };
    void this.host.bus.publish(eventId === undefined ? outbound : { ...outbound, eventId });
  }

  private receive(message: RpcMessage, extra: unknown): void {
    const route = this.requests.route(message);
    if (route?.to === 'here') return this.onmessage?.(route.message, extra);
    if (route?.to === 'instance') {
      void this.host.bus
        .publish({ kind: 'reply', sessionId: this.id, message }, route.instance)
        .then((reached) => reached || this.unclaimed(route, message));
      return;
    }
    if (route !== undefined) return this.unclaimed(route, message);
    // A request the client cancelled gets no answer: it is in progress no more.
    if (message.method === 'notifications/cancelled') {
      this.serving.delete(message.params?.requestId as string | number);
    }
    if (message.method !== undefined && message.id !== undefined) {
      const scope = requestScope.getStore();
      if (!scope?.internal && !isReplayId(message.id)) {
        this.serving.set(message.id, { streamId: scope?.streamId, change: changeOf(message) });
      }
    }
    this.onmessage?.(message, extra);
  }

  private unclaimed(route: ReplyRoute | undefined, message: RpcMessage): void {
    const id =
      route?.to === 'nobody' ? route.id : String(message.id ?? message.params?.progressToken);
    this.host.logger.warn(
      `Dropped the client's ${message.method ?? 'answer'} for request ${id} of session ${shortId(this.id)}: nobody waits for it`,
    );
  }
}
