import { MemorySessionStore, SessionRecord, type SessionStore } from '../../lib';
import { type ContractApi, sessionStoreContract } from '../../lib/testing';
import { named, recordingRunner } from './recording-api';

/** A store with the four required methods only (no touch, update, count or cleanupExpired). */
class CoreOnlyStore implements SessionStore {
  private readonly inner = new MemorySessionStore();
  create(record: SessionRecord) {
    return this.inner.create(record);
  }
  save(record: SessionRecord) {
    return this.inner.save(record);
  }
  load(id: string) {
    return this.inner.load(id);
  }
  delete(id: string) {
    return this.inner.delete(id);
  }
}

const GROUPS = ['core', 'touch', 'update', 'count', 'cleanupExpired', 'concurrency', 'encode'];
const groupOf = (name: string) => name.split(' › ')[1];

function record(
  open: () => SessionStore,
  options: Parameters<typeof sessionStoreContract>[2] = {},
  runnerOptions?: Parameters<typeof recordingRunner>[0],
) {
  const runner = recordingRunner(runnerOptions);
  sessionStoreContract('Subject', async () => ({ store: open() }), { ...options, api: runner.api });
  return runner;
}

describe('sessionStoreContract', () => {
  it('registers 35 uniquely named cases in seven groups; only the three that wait have a timeout', () => {
    const { cases } = record(() => new MemorySessionStore());
    const names = cases.map((c) => c.name);
    expect(new Set(names).size).toBe(35);
    expect([...new Set(names.map(groupOf))]).toEqual(GROUPS);
    expect(cases.filter((c) => c.timeout !== undefined).map((c) => c.name)).toEqual([
      'SessionStore contract: Subject › core › expiry › hides a record once its ttl has passed',
      'SessionStore contract: Subject › touch › keeps a touched record alive past its original expiry',
      'SessionStore contract: Subject › cleanupExpired › removes expired records, reports how many, and keeps live ones',
    ]);
    // Default timing: three attempts of 1, 2 and 4 s, 10 s of polling, 15 s of room.
    expect(cases.find((c) => c.timeout !== undefined)?.timeout).toBe(32_000);
  });

  it('skips the groups of optional methods a store lacks, when the runner can skip', async () => {
    const outcomes = await record(() => new CoreOnlyStore()).run();
    expect(named(outcomes, 'failed')).toEqual([]);
    expect(named(outcomes, 'passed').map(groupOf)).toEqual([
      ...Array<string>(16).fill('core'),
      'concurrency',
      ...Array<string>(3).fill('encode'),
    ]);
    expect(named(outcomes, 'skipped').map(groupOf)).toEqual([
      ...Array<string>(6).fill('touch'),
      ...Array<string>(7).fill('update'),
      'count',
      'cleanupExpired',
    ]);
  });

  it('passes those cases without asserting under a runner with no test context (jest)', async () => {
    const outcomes = await record(() => new CoreOnlyStore(), {}, { context: false }).run();
    expect(named(outcomes, 'passed')).toHaveLength(35);
  });

  it('leaves out the groups its options turn off', () => {
    const { cases } = record(() => new MemorySessionStore(), {
      touch: false,
      update: false,
      count: false,
      cleanupExpired: false,
      concurrency: false,
      encode: false,
    });
    expect(cases).toHaveLength(16);
    expect(new Set(cases.map((c) => groupOf(c.name)))).toEqual(new Set(['core']));
  });

  it('fails the cases of a group its options require when the store lacks the method', async () => {
    const outcomes = await record(() => new CoreOnlyStore(), { touch: true }).run((name) =>
      name.includes(' › touch › '),
    );
    expect(outcomes.size).toBe(6);
    for (const outcome of outcomes.values()) {
      expect(outcome).toEqual({
        status: 'failed',
        error: new Error('the store has no touch(), but the options ask for its cases'),
      });
    }
  });

  it('retries a waiting case with a longer ttl when the machine stalls past the first', async () => {
    // A first create that takes three ttls: that record is dead before load
    // can see it. The second attempt (ttl 1 s) sees its record; were the
    // machine to stall a whole second, a third (2 s) would.
    const created: string[] = [];
    class StallingStore extends MemorySessionStore {
      override async create(record: SessionRecord): Promise<SessionRecord> {
        created.push(record.id);
        if (created.length === 1) await new Promise((resolve) => setTimeout(resolve, 1_500));
        return super.create(record);
      }
    }
    const outcomes = await record(() => new StallingStore(), { shortTtlMs: 500 }).run((name) =>
      name.endsWith('hides a record once its ttl has passed'),
    );
    expect([...outcomes.values()]).toEqual([{ status: 'passed' }]);
    expect(created.slice(0, 2)).toEqual(['short', 'short-1']);
  });

  it('fails a store whose load keeps returning a record past its ttl', async () => {
    class ImmortalStore extends MemorySessionStore {
      private readonly kept = new Map<string, SessionRecord>();
      override async create(record: SessionRecord): Promise<SessionRecord> {
        this.kept.set(record.id, SessionRecord.restore({ ...record }));
        return super.create(record);
      }
      override async load(id: string): Promise<SessionRecord | undefined> {
        return (await super.load(id)) ?? this.kept.get(id);
      }
    }
    const outcomes = await record(() => new ImmortalStore(), {
      shortTtlMs: 200,
      expiryTimeoutMs: 200,
    }).run((name) => name.endsWith('hides a record once its ttl has passed'));
    const [outcome] = outcomes.values();
    expect(outcome.status === 'failed' && String(outcome.error)).toMatch(
      /load still returns a record past its ttl \(waited 200 ms\)/,
    );
  });

  it('takes the runner from the globals, and says what is missing when they are not there', () => {
    const jestApi: ContractApi = { describe, it, beforeEach, afterEach };
    expect(jestApi.it).toBe(it);

    const globals = globalThis as unknown as Record<string, unknown>;
    const saved = { it: globals.it, afterEach: globals.afterEach };
    delete globals.it;
    delete globals.afterEach;
    try {
      expect(() =>
        sessionStoreContract('Subject', async () => ({ store: new CoreOnlyStore() })),
      ).toThrow(
        /no global it, afterEach\. Run it under jest, or vitest with `globals: true`, or pass `\{ api:/,
      );
    } finally {
      Object.assign(globals, saved);
    }
  });

  it('writes 1 KiB past the maxRecordBytes it is given, and leaves that case out for Infinity', async () => {
    const limited = record(() => new MemorySessionStore({ maxRecordBytes: 4096 }), {
      maxRecordBytes: 4096,
    });
    const sizeCase = (name: string) => name.includes('larger than maxRecordBytes');
    expect([...(await limited.run(sizeCase)).values()]).toEqual([{ status: 'passed' }]);
    // A store whose limit is larger than the suite was told fails that case.
    const mistaken = record(() => new MemorySessionStore(), { maxRecordBytes: 4096 });
    const [outcome] = (await mistaken.run(sizeCase)).values();
    expect(outcome.status === 'failed' && String(outcome.error)).toMatch(
      /create of a large record: resolved, expected kind encode/,
    );
    const unlimited = record(() => new MemorySessionStore({ maxRecordBytes: Infinity }), {
      maxRecordBytes: Infinity,
    });
    expect(unlimited.cases.map((c) => c.name).filter(sizeCase)).toEqual([]);
    expect(unlimited.cases.filter((c) => groupOf(c.name) === 'encode')).toHaveLength(2);
    expect(() => record(() => new MemorySessionStore(), { maxRecordBytes: 0 })).toThrow(
      /maxRecordBytes must be a positive integer or Infinity, got 0/,
    );
  });

  it.each([0, -1, Number.NaN, Infinity])('rejects %p as shortTtlMs or expiryTimeoutMs', (ms) => {
    const open = async () => ({ store: new MemorySessionStore() });
    const api = recordingRunner().api;
    expect(() => sessionStoreContract('x', open, { api, shortTtlMs: ms })).toThrow(RangeError);
    expect(() => sessionStoreContract('x', open, { api, expiryTimeoutMs: ms })).toThrow(
      /expiryTimeoutMs must be a finite number of milliseconds > 0/,
    );
  });
});
