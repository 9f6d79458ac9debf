import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What the SDK transport reveals, through the event store it calls, about
 * the one HTTP request it is serving: the SSE stream a POST opened (its
 * priming event) and the stream a GET resumed (and how many events it
 * replayed). The transport keeps its streams private; this is how the legacy
 * leg learns which stream is whose without touching them.
 */
export interface RequestScope {
  /** The stream a POST's requests are answered on (set by its priming event). */
  streamId?: string;
  /** The stream a GET with `Last-Event-ID` resumed, and how many events it sent. */
  replayed?: { streamId: string; count: number };
  /** A request the module replays into a fresh transport: its events are not stored. */
  internal?: boolean;
  /** Whether the client of this request has gone (a waiting resume stops). */
  abandoned?: () => boolean;
}

/** The scope of the HTTP request being served, for the event store and the session link. */
export const requestScope = new AsyncLocalStorage<RequestScope>();
