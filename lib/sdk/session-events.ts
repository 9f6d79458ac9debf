import type { LoggerService } from '@nestjs/common';
import { errorMessage, shortId } from '../contract/session-store.error';
import type {
  McpEventMessage,
  McpSdkEventStore,
} from '../interfaces/session-event-store.interface';
import { requestScope } from './request-scope';

/** The id both SDK lines give the standalone GET stream in their event-store calls. */
export const STANDALONE_STREAM = '_GET_stream';
/** How long a resume waits for the first event of a stream answered on another instance, in ms. */
const RESUME_WAIT = 30_000;
const FIRST_POLL = 50;
const LAST_POLL = 1_000;

/** One outage flag per process: event-store failures are logged once per outage. */
export class EventStoreHealth {
  private failing = false;

  constructor(private readonly logger: LoggerService) {}

  /** Notes a failure; the first of an outage is logged. */
  failed(sessionId: string, error: unknown): void {
    if (!this.failing) {
      this.logger.warn(
        `Event store failed (session ${shortId(sessionId)}): ${errorMessage(error)}; ` +
          'events are sent without ids and cannot be replayed until it answers again',
      );
    }
    this.failing = true;
  }

  /** Notes a success; ends an outage. */
  ok(): void {
    if (this.failing) this.logger.log('Event store answers again');
    this.failing = false;
  }
}

/**
 * The event store one session's SDK transport is given: the configured
 * store's view of the session, plus what the module needs around it.
 *
 * - Ids by message: the id a message was stored under (`idOf`), and messages
 *   another instance already stored (`known`), which are not stored twice.
 * - A store failure never stops a message: it goes out without an id (an
 *   empty one for a priming event, which tells the client it cannot resume).
 * - Requests the module replays into a fresh transport store nothing.
 * - The request scope learns the stream a POST opened and the stream a
 *   `Last-Event-ID` GET resumed.
 */
export class SessionEvents implements McpSdkEventStore {
  private readonly ids = new WeakMap<object, string>();
  /** The store's own look-up when it has one (the SDK checks whether it exists). */
  readonly getStreamIdForEventId?: (eventId: string) => Promise<string | undefined>;

  constructor(
    private readonly sessionId: string,
    private readonly store: McpSdkEventStore,
    private readonly health: EventStoreHealth,
    /** Whether a request in progress here is answered on the stream. */
    private readonly answeredHere: (streamId: string) => boolean,
  ) {
    const lookUp = store.getStreamIdForEventId?.bind(store);
    if (lookUp !== undefined) this.getStreamIdForEventId = lookUp;
  }

  /** The event id `message` was stored under, if it was. */
  idOf(message: object): string | undefined {
    return this.ids.get(message);
  }

  /** Records that `message` is already stored under `eventId` (by another instance). */
  known(message: object, eventId: string): void {
    this.ids.set(message, eventId);
  }

  async storeEvent(streamId: string, message: McpEventMessage): Promise<string> {
    const scope = requestScope.getStore();
    const priming = Object.keys(message).length === 0;
    if (scope !== undefined && priming) scope.streamId = streamId;
    if (scope?.internal) return '';
    const known = this.ids.get(message);
    if (known !== undefined) return known;
    try {
      const id = await this.store.storeEvent(streamId, message);
      this.health.ok();
      this.ids.set(message, id);
      return id;
    } catch (error) {
      this.health.failed(this.sessionId, error);
      return '';
    }
  }

  async replayEventsAfter(
    lastEventId: string,
    { send }: { send: (eventId: string, message: McpEventMessage) => Promise<void> },
  ): Promise<string> {
    let count = 0;
    const counted = {
      send: async (eventId: string, message: McpEventMessage) => {
        count++;
        await send(eventId, message);
      },
    };
    const streamId = await this.store.replayEventsAfter(lastEventId, counted);
    const scope = requestScope.getStore();
    if (streamId !== STANDALONE_STREAM && !this.answeredHere(streamId)) {
      const deadline = Date.now() + RESUME_WAIT;
      for (let pause = FIRST_POLL; count === 0 && Date.now() < deadline;) {
        await new Promise((resolve) => setTimeout(resolve, pause));
        if (scope?.abandoned?.()) break;
        await this.store.replayEventsAfter(lastEventId, counted);
        pause = Math.min(pause * 2, LAST_POLL);
      }
    }
    if (scope !== undefined) scope.replayed = { streamId, count };
    return streamId;
  }
}
