import { SessionRecord, SessionStore } from '../../lib';

/** What a store spec hands the contract: a fresh, empty store per test. */
export interface ContractSubject {
  store: SessionStore;
  /** Closes what the factory opened (the store's own connections). */
  close?: () => Promise<void>;
}

const VERSION = '2025-11-25';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function sampleRecord(id: string, ttlMs = 60_000): SessionRecord {
  return new SessionRecord(id, VERSION, ttlMs);
}

function expiredRecord(id: string): SessionRecord {
  const record = sampleRecord(id);
  record.expiresAt = new Date(Date.now() - 1_000);
  return record;
}

function richRecord(id: string): SessionRecord {
  const record = sampleRecord(id);
  record.clientInfo = {
    name: 'contract-client',
    version: '1.2.3',
    title: 'Contract',
    extra: { a: [1, 2] },
  };
  record.clientCapabilities = {
    roots: { listChanged: true },
    sampling: {},
    elicitation: { form: {} },
  };
  record.owner = 'user-42';
  record.data = { counter: 3, nested: { list: ['x', { y: true }], nothing: null } };
  return record;
}

/**
 * The behaviour every SessionStore must have, run once per store (and per
 * backend topology) from that store's spec file.
 */
export function sessionStoreContract(name: string, open: () => Promise<ContractSubject>): void {
  describe(`SessionStore contract: ${name}`, () => {
    let subject: ContractSubject;
    let store: SessionStore;

    beforeEach(async () => {
      subject = await open();
      store = subject.store;
    });

    afterEach(async () => {
      await subject.close?.();
    });

    describe('create, load, delete', () => {
      it('stores a record that load then returns, and delete removes it', async () => {
        const created = await store.create(sampleRecord('abc'));
        expect(created.id).toBe('abc');

        const loaded = await store.load('abc');
        expect(loaded).toBeInstanceOf(SessionRecord);
        expect(loaded?.id).toBe('abc');
        expect(loaded?.protocolVersion).toBe(VERSION);

        await store.delete('abc');
        expect(await store.load('abc')).toBeUndefined();
      });

      it('returns undefined for an id it never saw', async () => {
        expect(await store.load('never-created')).toBeUndefined();
      });

      it('resolves create to the very record it was given', async () => {
        const record = sampleRecord('same-object');
        expect(await store.create(record)).toBe(record);
      });

      it('gives a colliding create a fresh id, updates the caller record, and keeps both', async () => {
        const first = sampleRecord('dup');
        await store.create(first);
        const second = sampleRecord('dup');
        second.data = { which: 'second' };
        const stored = await store.create(second);

        expect(stored).toBe(second);
        expect(second.id).not.toBe('dup');
        expect(second.id.length).toBeGreaterThan(0);
        expect((await store.load('dup'))?.data).toBeUndefined();
        expect((await store.load(second.id))?.data).toEqual({ which: 'second' });
      });

      it('ends concurrent creates of one preferred id with distinct stored ids', async () => {
        const records = Array.from({ length: 25 }, (_, i) => {
          const record = sampleRecord('contended');
          record.data = { i };
          return record;
        });
        await Promise.all(records.map((record) => store.create(record)));

        const ids = records.map((record) => record.id);
        expect(new Set(ids).size).toBe(records.length);
        expect(ids.filter((id) => id === 'contended')).toHaveLength(1);
        for (const record of records) {
          expect((await store.load(record.id))?.data).toEqual(record.data);
        }
      });

      it('deletes idempotently', async () => {
        await expect(store.delete('nonexistent')).resolves.toBeUndefined();
        await store.create(sampleRecord('twice'));
        await store.delete('twice');
        await expect(store.delete('twice')).resolves.toBeUndefined();
      });
    });

    describe('save', () => {
      it('upserts: a later save replaces the record', async () => {
        const record = sampleRecord('upsert');
        await store.create(record);
        record.protocolVersion = '2025-06-18';
        record.data = { step: 2 };
        await store.save(record);

        const loaded = await store.load('upsert');
        expect(loaded?.protocolVersion).toBe('2025-06-18');
        expect(loaded?.data).toEqual({ step: 2 });
      });

      it('inserts a record it has never seen', async () => {
        await store.save(sampleRecord('saved-first'));
        expect((await store.load('saved-first'))?.id).toBe('saved-first');
      });

      it('keeps a record saved with an expiry in the past invisible', async () => {
        await store.save(expiredRecord('born-dead'));
        expect(await store.load('born-dead')).toBeUndefined();
      });
    });

    describe('round trips', () => {
      it('keeps every field, nested values included', async () => {
        const record = richRecord('rich');
        await store.create(record);
        const loaded = await store.load('rich');

        expect(loaded).toBeDefined();
        expect(loaded!.clientInfo).toEqual(record.clientInfo);
        expect(loaded!.clientCapabilities).toEqual(record.clientCapabilities);
        expect(loaded!.owner).toBe('user-42');
        expect(loaded!.data).toEqual(record.data);
      });

      it('returns Dates as Dates, to the millisecond', async () => {
        const record = sampleRecord('dates');
        await store.create(record);
        const loaded = (await store.load('dates'))!;

        for (const field of ['createdAt', 'lastAccessed', 'expiresAt'] as const) {
          expect(loaded[field]).toBeInstanceOf(Date);
          expect(loaded[field].getTime()).toBe(record[field].getTime());
        }
        expect(loaded.isExpired()).toBe(false);
      });

      it('leaves optional fields absent when they were never set', async () => {
        await store.create(sampleRecord('bare'));
        const loaded = (await store.load('bare'))!;
        expect(loaded.clientInfo).toBeUndefined();
        expect(loaded.clientCapabilities).toBeUndefined();
        expect(loaded.owner).toBeUndefined();
        expect(loaded.data).toBeUndefined();
      });

      it('treats ids as data: glob characters and prefixes never match other ids', async () => {
        const ids = [
          'a*',
          'a?',
          'a[bc]',
          'ab',
          'x',
          'x:y',
          '{tag}',
          '~!@#$%^&()_+|',
          'z'.repeat(255),
        ];
        for (const id of ids) {
          const record = sampleRecord(id);
          record.data = { id };
          await store.create(record);
          expect(record.id).toBe(id);
        }
        await store.delete('a*');
        await store.delete('x');
        expect(await store.load('a*')).toBeUndefined();
        expect(await store.load('x')).toBeUndefined();
        for (const id of ids.filter((id) => id !== 'a*' && id !== 'x')) {
          expect((await store.load(id))?.data).toEqual({ id });
        }
      });
    });

    describe('copies', () => {
      it('hands out copies: changing a loaded record changes nothing until save', async () => {
        await store.create(richRecord('isolated'));
        const loaded = (await store.load('isolated'))!;
        loaded.data!.counter = 99;
        (loaded.data!.nested as { list: unknown[] }).list.push('mutated');
        loaded.clientInfo!.name = 'changed';
        (loaded.clientCapabilities!.roots as Record<string, unknown>).listChanged = false;
        loaded.expiresAt.setTime(0);

        const again = (await store.load('isolated'))!;
        expect(again.data).toEqual(richRecord('isolated').data);
        expect(again.clientInfo!.name).toBe('contract-client');
        expect(again.clientCapabilities).toEqual(richRecord('isolated').clientCapabilities);
        expect(again.isExpired()).toBe(false);

        loaded.expiresAt = new Date(Date.now() + 60_000);
        await store.save(loaded);
        expect((await store.load('isolated'))?.data?.counter).toBe(99);
      });

      it('does not keep a reference to the record it was given', async () => {
        const record = richRecord('given');
        await store.create(record);
        record.data!.counter = 1000;
        record.clientInfo!.version = '9.9.9';
        const loaded = (await store.load('given'))!;
        expect(loaded.data!.counter).toBe(3);
        expect(loaded.clientInfo!.version).toBe('1.2.3');
      });
    });

    describe('expiry', () => {
      it('hides a record once its ttl has passed', async () => {
        // Generous times: the machines that run this are shared and busy, and
        // a store with I/O must still see the record before it expires.
        await store.create(sampleRecord('short', 400));
        expect(await store.load('short')).toBeDefined();
        await sleep(500);
        expect(await store.load('short')).toBeUndefined();
      });

      it('lets create take over the id of an expired record', async () => {
        await store.save(expiredRecord('reused'));
        const fresh = sampleRecord('reused');
        await store.create(fresh);
        expect(fresh.id).toBe('reused');
        expect(await store.load('reused')).toBeDefined();
      });
    });

    describe('touch', () => {
      it('extends a live record and persists the new expiry', async () => {
        const record = richRecord('touched');
        record.expiresAt = new Date(Date.now() + 5_000);
        await store.save(record);
        await sleep(5);

        const touched = await store.touch!('touched', 120_000);
        expect(touched).toBeInstanceOf(SessionRecord);
        expect(touched!.expiresAt.getTime()).toBeGreaterThanOrEqual(Date.now() + 119_000);
        expect(touched!.lastAccessed.getTime()).toBeGreaterThan(record.lastAccessed.getTime());
        expect(touched!.createdAt.getTime()).toBe(record.createdAt.getTime());
        expect(touched!.data).toEqual(record.data);
        expect(touched!.owner).toBe('user-42');

        const loaded = (await store.load('touched'))!;
        expect(loaded.expiresAt.getTime()).toBe(touched!.expiresAt.getTime());
        expect(loaded.lastAccessed.getTime()).toBe(touched!.lastAccessed.getTime());
      });

      it('keeps a touched record alive past its original expiry', async () => {
        await store.create(sampleRecord('kept', 400));
        await sleep(100);
        expect(await store.touch!('kept', 60_000)).toBeDefined();
        await sleep(400);
        expect(await store.load('kept')).toBeDefined();
      });

      it('returns undefined for an unknown id and creates nothing', async () => {
        expect(await store.touch!('ghost', 60_000)).toBeUndefined();
        expect(await store.load('ghost')).toBeUndefined();
      });

      it('never revives a deleted record', async () => {
        await store.create(sampleRecord('deleted'));
        await store.delete('deleted');
        expect(await store.touch!('deleted', 60_000)).toBeUndefined();
        expect(await store.load('deleted')).toBeUndefined();
      });

      it('never revives an expired record', async () => {
        await store.save(expiredRecord('stale'));
        expect(await store.touch!('stale', 60_000)).toBeUndefined();
        expect(await store.load('stale')).toBeUndefined();
      });

      it('returns a copy', async () => {
        await store.create(richRecord('touch-copy'));
        const touched = (await store.touch!('touch-copy', 60_000))!;
        touched.data!.counter = -1;
        expect((await store.load('touch-copy'))!.data!.counter).toBe(3);
      });
    });

    describe('count and cleanupExpired', () => {
      it('counts live records only', async () => {
        expect(await store.count!()).toBe(0);
        await store.create(sampleRecord('one'));
        await store.create(sampleRecord('two'));
        await store.save(expiredRecord('dead'));
        expect(await store.count!()).toBe(2);
        await store.delete('one');
        expect(await store.count!()).toBe(1);
      });

      it('removes expired records, reports how many, and keeps live ones', async () => {
        await store.create(sampleRecord('live'));
        await store.create(sampleRecord('dying', 300));
        await store.create(sampleRecord('dying-too', 300));
        await sleep(400);

        expect(await store.cleanupExpired!()).toBe(2);
        expect(await store.count!()).toBe(1);
        expect(await store.load('live')).toBeDefined();
        expect(await store.cleanupExpired!()).toBe(0);
      });
    });
  });
}
