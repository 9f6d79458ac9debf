import { AssertionError } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { MemorySessionStore, SessionRecord, type SessionStore } from '../../lib';
import { sessionStoreContract } from '../../lib/testing';
import { named, type Outcome, recordingRunner } from './recording-api';

// Four stores with one defect each, every other method that of the intact
// MemorySessionStore. The shipped suite must fail each of them on the cases
// named below, and pass the intact store on the same cases.

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

/** Checks the id, then writes, with an await in between: concurrent creates all keep it. */
class RacyCreateStore extends MemorySessionStore {
  override async create(record: SessionRecord): Promise<SessionRecord> {
    while ((await this.load(record.id)) !== undefined) record.id = randomUUID();
    await this.save(record);
    return record;
  }
}

const stores: Record<string, () => SessionStore> = {
  MemorySessionStore: () => new MemorySessionStore(),
  RevivingStore: () => new RevivingStore(),
  SharingStore: () => new SharingStore(),
  DateLosingStore: () => new DateLosingStore(),
  RacyCreateStore: () => new RacyCreateStore(),
};

/** The cases of the suite, as the suite names them, without the store's name. */
const outcomes = new Map<string, Map<string, Outcome>>();
const shortName = (name: string) => name.replace(/^SessionStore contract: \w+ › /, '');

beforeAll(async () => {
  // The five stores run the suite side by side: each case that waits for a
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
  it('passes the intact MemorySessionStore on every one of its 25 cases', () => {
    const intact = outcomes.get('MemorySessionStore')!;
    expect(intact.size).toBe(25);
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
      alsoFailing: ['touch › extends a live record and persists the new expiry'],
    },
    {
      store: 'DateLosingStore',
      defect: 'loses Dates (returns strings)',
      guards: ['core › round trips › returns Dates as Dates, to the millisecond'],
      alsoFailing: [
        'core › copies › hands out copies: changing a loaded record changes nothing until save',
        'touch › extends a live record and persists the new expiry',
      ],
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
