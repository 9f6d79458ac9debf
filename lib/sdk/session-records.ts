import type { LoggerService } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { SessionRecord } from '../contract/session-record';
import { shortId } from '../contract/session-store.error';
import { updateRecord } from '../contract/update-record';
import { STORE_UNAVAILABLE } from '../gate/mcp-session.errors';
import { storeBreaker } from '../gate/store-breaker';
import { storeRejection } from '../gate/store-failure';
import type { McpSessionOptions } from '../interfaces/mcp-session-options.interface';
import { errorMessage } from '../contract/session-store.error';
import { storeCall } from '../health/store-call';
import { storeOutage } from '../health/store-outage';
import { sessionMetrics } from '../metrics/mcp-session.metrics';
import { applyChange, SDK_STATE_KEY, type StateChange, storedState } from './session-state';

/** The `initialize` request of a POST body, as far as this module reads it. */
export interface InitializeMessage {
  method: 'initialize';
  params?: { protocolVersion?: unknown; capabilities?: unknown; clientInfo?: unknown };
}

/** The `initialize` request in a POST body (single message or batch), if any. */
export function findInitialize(body: unknown): InitializeMessage | undefined {
  const messages = Array.isArray(body) ? body : [body];
  return messages.find(
    (m): m is InitializeMessage =>
      m !== null && typeof m === 'object' && (m as { method?: unknown }).method === 'initialize',
  );
}

/**
 * Every store call of the SDK integration (the per-request check is the
 * gate's): new records, deletes, and the sweep's look-ups. Failures are
 * logged here, once, with the id shortened.
 */
export class SessionRecords {
  constructor(
    private readonly options: McpSessionOptions,
    private readonly logger: LoggerService,
  ) {}

  /**
   * Stores the record of a new session: a crypto-random id, the protocol
   * version the SDK will negotiate, the client's info and capabilities, and
   * the owner when there is one.
   * @throws McpSessionRejection (503) when the store fails.
   */
  async create(
    message: InitializeMessage,
    owner: string | undefined,
    versions: { supported: string[]; latest: string },
  ): Promise<SessionRecord> {
    const params = message.params ?? {};
    const requested = String(params.protocolVersion);
    const version = versions.supported.includes(requested) ? requested : versions.latest;
    const record = new SessionRecord(randomUUID(), version, this.options.ttl);
    if (params.clientInfo !== undefined) {
      record.clientInfo = params.clientInfo as SessionRecord['clientInfo'];
    }
    if (params.capabilities !== undefined) {
      record.clientCapabilities = params.capabilities as Record<string, unknown>;
    }
    if (owner !== undefined) record.owner = owner;
    try {
      const { store } = this.options;
      const breaker = storeBreaker(store, this.options.storeBreaker);
      const created = await breaker.run(() =>
        storeCall(store, 'create', () => store.create(record)),
      );
      sessionMetrics.created();
      return created;
    } catch (error) {
      // The client's input (an `initialize` too large to store: 400) is no outage.
      const answer = storeRejection(error);
      if (answer !== STORE_UNAVAILABLE) throw answer;
      // An unreachable store is logged once per outage, by its outage log.
      if (!storeOutage(this.options.store).refused(error)) {
        this.logger.error(`Could not store a new session: ${errorMessage(error)}`);
      }
      throw STORE_UNAVAILABLE;
    }
  }

  /**
   * Deletes session `id`.
   * @throws McpSessionRejection (503) when the store fails.
   */
  async delete(id: string): Promise<void> {
    try {
      const { store } = this.options;
      await storeCall(store, 'delete', () => store.delete(id), id);
      sessionMetrics.deleted();
    } catch (error) {
      if (!storeOutage(this.options.store).refused(error, id)) {
        this.logger.error(`Could not delete session ${shortId(id)}: ${errorMessage(error)}`);
      }
      throw STORE_UNAVAILABLE;
    }
  }

  /** Deletes session `id` after a failed start; a failure is only logged. */
  async discard(id: string): Promise<void> {
    await this.delete(id).catch(() => undefined);
  }

  /**
   * The stored expiry of session `id` (ms), `undefined` when the store no
   * longer has it, or `null` when the store could not tell (logged).
   */
  async expiryOf(id: string): Promise<number | undefined | null> {
    try {
      const { store } = this.options;
      return (await storeCall(store, 'load', () => store.load(id), id))?.expiresAt.getTime();
    } catch (error) {
      if (storeOutage(this.options.store).failed(error, id)) return null;
      this.logger.warn(
        `Transport sweep could not check session ${shortId(id)}: ${errorMessage(error)}`,
      );
      return null;
    }
  }

  /**
   * Stores a change of the SDK state (log level, subscriptions) with session
   * `id`, under the reserved `data` key. A failure (or a session gone) is
   * logged, never thrown: the client keeps its answer.
   */
  async updateState(id: string, change: StateChange): Promise<void> {
    try {
      // Atomic on stores with `update`: a concurrent write (another request's
      // state change, a tool's own update) is neither lost nor a conflict.
      await updateRecord(this.options.store, id, (record) => {
        const state = applyChange(storedState(record), change);
        record.data = { ...record.data, [SDK_STATE_KEY]: state };
      });
    } catch (error) {
      this.logger.warn(
        `Could not store ${change.method} of session ${shortId(id)}: ${errorMessage(error)}`,
      );
    }
  }
}
