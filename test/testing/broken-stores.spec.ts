import { AssertionError } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { MemorySessionStore, SessionRecord, type SessionStore, SessionStoreError } from '../../lib';
import { sessionStoreContract } from '../../lib/testing';
import { named, type Outcome, recordingRunner } from './recording-api';

// Stores with one defect each, every other method that of the intact
// MemorySessionStore. The shipped suite must fail each of them on the cases
// named below, and pass the intact store on the same cases.

/** An upsert that ignores revisions (the contract before them), on the intact store's methods. */
async function blindSave(store: MemorySessionStore, record: SessionRecord): Promise<void> {
  const { save, delete: remove } = MemorySessionStore.prototype;
  try {
    await save.call(store, record);
  } catch (error) {
    if (!(error instanceof SessionStoreError && error.kind === 'conflict')) throw error;
    // The memory store's delete takes effect at once: nothing comes in between.
    void remove.call(store, record.id);
    await save.call(store, record);
  }
}

/** Touch falls back to the last record it wrote: revives deleted and expired sessions. */
class RevivingStore extends MemorySessionStore {
  private readonly written = new Map<string, SessionRecord>();

  override async create(record: SessionRecord): Promise<SessionRecord> {
    await super.create(record);
    this.written.set(record.id, SessionRecord.restore({ ...record }));
    return record;
  }

  override async save(record: SessionRecord): Promise<void> {
    await super.save(record);
    this.written.set(record.id, SessionRecord.restore({ ...record }));
  }

  override async touch(id: string, ttlMs: number): Promise<SessionRecord | undefined> {
    const live = await super.touch(id, ttlMs);
    const last = this.written.get(id);
    if (live !== undefined || last === undefined) return live;
    await super.save(last.touch(ttlMs));
    return super.load(id);
  }
}

/** An identity cache in front of the store: every caller gets the same object. */
class SharingStore extends MemorySessionStore {
  private readonly shared = new Map<string, SessionRecord>();

  override async create(record: SessionRecord): Promise<SessionRecord> {
    await super.create(record);
    this.shared.set(record.id, record);
    return record;
  }

  override async save(record: SessionRecord): Promise<void> {
    await super.save(record);
    this.shared.set(record.id, record);
  }

  override async load(id: string): Promise<SessionRecord | undefined> {
    return this.share(id, await super.load(id));
  }

  override async touch(id: string, ttlMs: number): Promise<SessionRecord | undefined> {
    return this.share(id, await super.touch(id, ttlMs));
  }

  override async delete(id: string): Promise<void> {
    this.shared.delete(id);
    await super.delete(id);
  }

  private share(id: string, live: SessionRecord | undefined): SessionRecord | undefined {
    const kept = this.shared.get(id);
    if (live === undefined || kept === undefined) return live;
    kept.lastAccessed = live.lastAccessed;
    kept.expiresAt = live.expiresAt;
    return kept;
  }
}

/** A JSON round trip that forgets to revive the times: they come back as strings. */
class DateLosingStore extends MemorySessionStore {
  override async load(id: string): Promise<SessionRecord | undefined> {
    return viaJson(await super.load(id));
  }

  override async touch(id: string, ttlMs: number): Promise<SessionRecord | undefined> {
    return viaJson(await super.touch(id, ttlMs));
  }
}

function viaJson(record: SessionRecord | undefined): SessionRecord | undefined {
  if (record === undefined) return undefined;
  return Object.assign(Object.create(SessionRecord.prototype), JSON.parse(JSON.stringify(record)));
}

/** Checks the id, then writes blindly, with an await in between: concurrent creates all keep it. */
class RacyCreateStore extends MemorySessionStore {
  override async create(record: SessionRecord): Promise<SessionRecord> {
    while ((await this.load(record.id)) !== undefined) record.id = randomUUID();
    await blindSave(this, record);
    return record;
  }
}

/** Update as a load, an await, then a blind write: concurrent updates lose each other, a delete is undone. */
class RacyUpdateStore extends MemorySessionStore {
  override async update(
    id: string,
    change: (record: SessionRecord) => void,
  ): Promise<SessionRecord | undefined> {
    const record = await this.load(id);
    if (record === undefined) return undefined;
    await new Promise((resolve) => setImmediate(resolve));
    change(record);
    await blindSave(this, record);
    return record;
  }
}

/** Save as a blind upsert (the contract before revisions): a stale copy silently wins. */
class BlindSaveStore extends MemorySessionStore {
  override save(record: SessionRecord): Promise<void> {
    return blindSave(this, record);
  }
}

/** No size limit: a record of any size is stored. */
class LimitlessStore extends MemorySessionStore {
  constructor() {
    super({ maxRecordBytes: Infinity });
  }
}

const stores: Record<string, () => SessionStore> = {
  MemorySessionStore: () => new MemorySessionStore(),
  RacyUpdateStore: () => new RacyUpdateStore(),
  BlindSaveStore: () => new BlindSaveStore(),
  LimitlessStore: () => new LimitlessStore(),
  RevivingStore: () => new RevivingStore(),
  SharingStore: () => new SharingStore(),
  DateLosingStore: () => new DateLosingStore(),
  RacyCreateStore: () => new RacyCreateStore(),
};

/** The cases of the suite, as the suite names them, without the store's name. */
const outcomes = new Map<string, Map<string, Outcome>>();
const shortName = (name: string) => name.replace(/^SessionStore contract: \w+ › /, '');

beforeAll(async () => {
  // The stores run the suite side by side: each case that waits for a
  // real expiry then costs its second once, not five times.
  await Promise.all(
    Object.entries(stores).map(async ([name, open]) => {
      const runner = recordingRunner();
      sessionStoreContract(name, async () => ({ store: open() }), { api: runner.api });
      const ran = await runner.run();
      outcomes.set(name, new Map([...ran].map(([caseName, o]) => [shortName(caseName), o])));
    }),
  );
}, 120_000);

describe('the shipped contract suite against deliberately broken stores', () => {
  it('passes the intact MemorySessionStore on every one of its 35 cases', () => {
    const intact = outcomes.get('MemorySessionStore')!;
    expect(intact.size).toBe(35);
    expect(named(intact, 'failed')).toEqual([]);
    expect(named(intact, 'skipped')).toEqual([]);
  });

  // For each defect: the cases that guard against it (each must fail on an
  // assertion), and the other cases the defect also breaks on its way.
  it.each([
    {
      store: 'RevivingStore',
      defect: 'revives a deleted or expired session on touch',
      guards: ['touch › never revives a deleted record', 'touch › never revives an expired record'],
      alsoFailing: [],
    },
    {
      store: 'SharingStore',
      defect: 'hands out shared references instead of copies',
      guards: [
        'core › copies › hands out copies: changing a loaded record changes nothing until save',
        'core › copies › does not keep a reference to the record it was given',
        'touch › returns a copy',
      ],
      alsoFailing: [
        'touch › extends a live record and persists the new expiry',
        // A shared copy changed by the case is what the next load returns.
        'update › applies a change to a copy and stores it at the next revision',
        'update › ends 50 concurrent increments at exactly 50, none lost',
        'update › rejects a stale save with kind conflict and writes nothing',
        'encode › refuses a record larger than maxRecordBytes with kind encode, writing nothing',
      ],
    },
    {
      store: 'DateLosingStore',
      defect: 'loses Dates (returns strings)',
      guards: ['core › round trips › returns Dates as Dates, to the millisecond'],
      alsoFailing: [
        'core › copies › hands out copies: changing a loaded record changes nothing until save',
        'touch › extends a live record and persists the new expiry',
        // A record with string times cannot be saved (kind encode).
        'update › keeps the revision on touch: a touch between a load and its save is no conflict',
        'update › rejects a stale save with kind conflict and writes nothing',
      ],
    },
    {
      store: 'RacyUpdateStore',
      defect: 'updates by load, await and blind write',
      guards: [
        'update › ends 50 concurrent increments at exactly 50, none lost',
        'update › never revives a record deleted while the change runs',
      ],
      alsoFailing: [],
    },
    {
      store: 'BlindSaveStore',
      defect: 'saves blindly, whatever revision it holds',
      guards: ['update › rejects a stale save with kind conflict and writes nothing'],
      alsoFailing: [],
    },
    {
      store: 'LimitlessStore',
      defect: 'stores records of any size',
      guards: [
        'encode › refuses a record larger than maxRecordBytes with kind encode, writing nothing',
      ],
      alsoFailing: [],
    },
    {
      store: 'RacyCreateStore',
      defect: 'lets concurrent creates keep the same id',
      guards: [
        'concurrency › ends concurrent creates of one preferred id with distinct stored ids',
      ],
      alsoFailing: [],
    },
  ])('fails $store, which $defect, on the cases that guard against it', (expected) => {
    const ran = outcomes.get(expected.store)!;
    expect(named(ran, 'failed').sort()).toEqual(
      [...expected.guards, ...expected.alsoFailing].sort(),
    );
    for (const name of expected.guards) {
      const outcome = ran.get(name);
      expect(outcome?.status === 'failed' && outcome.error).toBeInstanceOf(AssertionError);
      expect(outcomes.get('MemorySessionStore')!.get(name)).toEqual({ status: 'passed' });
    }
  });
});
