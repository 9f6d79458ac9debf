import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { SessionRecord } from '../contract/session-record';
import { errorMessage } from '../contract/session-store.error';
import type { McpSessionOptions } from '../interfaces/mcp-session-options.interface';
import { sessionLimitReached } from './mcp-session.errors';
import { endedOf, PENDING, quotaId, reserve, type Sessions, settle } from './owner-quota';

/** How long a store count (for `total`) or a check of an owner's sessions is trusted, in ms. */
const RECHECK_MS = 1_000;

/**
 * The `sessionLimits` of `initialize`: `total` against the store's `count()`
 * (asked at most once a second, plus this process's creations since), and
 * `perOwner` against a quota record per principal in the store (id under the
 * state-handle prefix, so the gate never serves it) that lists the owner's
 * sessions: a place is reserved with an atomic update that refuses past the
 * cap, before the session is created. At the cap, the listed sessions are
 * looked up (at most once a second per owner) and the ended ones dropped.
 * Exact across instances with a store whose `update` is atomic (every store
 * of this package); one owner's initializes are also serialized in each
 * process. A refusal is logged once until a session is admitted again.
 */
export class SessionCaps {
  private readonly logger = new Logger(SessionCaps.name);
  private counted?: { at: number; count: number };
  private readonly queues = new Map<string, Promise<unknown>>();
  /** When each owner's listed sessions were last looked up (ms). */
  private readonly checked = new Map<string, number>();
  private refusing = { owner: false, total: false };

  constructor(private readonly options: McpSessionOptions) {}

  /**
   * Runs `create` (which stores the new session) unless a cap is reached.
   * @throws McpSessionRejection: 429 (`perOwner`) or 503 (`total`), with `Retry-After`.
   */
  async admit(
    owner: string | undefined,
    create: () => Promise<SessionRecord>,
  ): Promise<SessionRecord> {
    const limits = this.options.sessionLimits;
    if (limits === undefined) return create();
    if (limits.total !== undefined) await this.checkTotal(limits.total);
    if (limits.perOwner === undefined || owner === undefined) return this.created(await create());
    const key = quotaId(owner);
    const run = (this.queues.get(key) ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => this.ownerAdmit(key, owner, limits.perOwner!, create));
    this.queues.set(key, run);
    try {
      return await run;
    } finally {
      if (this.queues.get(key) === run) this.queues.delete(key);
    }
  }

  private async checkTotal(total: number): Promise<void> {
    const now = Date.now();
    if (this.counted === undefined || now - this.counted.at >= RECHECK_MS) {
      this.counted = { at: now, count: await this.options.store.count!() };
    }
    if (this.counted.count >= total) throw this.refuse('total', `total (${total})`);
  }

  /**
   * Reserves a place in the owner's quota record (an atomic update that
   * refuses past the cap), creates the session, then puts its id in the
   * place. At the cap, the listed sessions are looked up (at most once a
   * second) and the ended ones dropped before refusing.
   */
  private async ownerAdmit(
    key: string,
    owner: string,
    cap: number,
    create: () => Promise<SessionRecord>,
  ) {
    const { store } = this.options;
    const place = `${PENDING}${randomUUID()}`;
    let ended: string[] = [];
    for (let round = 0; ; round++) {
      if (await reserve(store, key, owner, cap, place, ended)) break;
      if (round > 0 || Date.now() - (this.checked.get(key) ?? 0) < RECHECK_MS)
        throw this.refuse('owner', `perOwner (${cap})`);
      const listed = ((await store.load(key))?.data?.sessions as Sessions | undefined) ?? {};
      ended = await endedOf(store, listed);
      // A bounded memory of recent look-ups: past 10 000 owners, start afresh.
      if (this.checked.size >= 10_000) this.checked.clear();
      this.checked.set(key, Date.now());
      if (ended.length === 0) throw this.refuse('owner', `perOwner (${cap})`);
    }
    let record: SessionRecord;
    try {
      record = await create();
    } catch (error) {
      await settle(store, key, owner, place).catch(() => undefined);
      throw error;
    }
    await settle(store, key, owner, place, record).catch((error: unknown) => {
      // The session exists: it is the client's, and its place stays taken until the next look-up.
      this.logger.warn(
        `Could not record a new session in its owner's quota: ${errorMessage(error)}`,
      );
    });
    return this.created(record);
  }

  private created(record: SessionRecord): SessionRecord {
    if (this.counted) this.counted.count++;
    this.refusing = { owner: false, total: false };
    return record;
  }

  private refuse(scope: 'owner' | 'total', what: string) {
    if (!this.refusing[scope]) {
      this.refusing[scope] = true;
      this.logger.warn(
        `Session limit ${what} reached: new sessions get ${scope === 'owner' ? 429 : 503} ` +
          '(logged once until one is admitted again)',
      );
    }
    return sessionLimitReached(scope, this.options.sessionLimits!.retryAfter);
  }
}
