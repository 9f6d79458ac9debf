import { InvalidOptionError, SessionRecord, SessionStoreError } from '../../../lib';
import type { QueryConfig } from 'pg';
import type { PostgresPool, PostgresQuery } from '../../../lib/stores/postgres/postgres-client';
import { PostgresSessionStore } from '../../../lib/stores/postgres/postgres-session.store';
import { sessionStoreContract } from '../../../lib/testing';
import { usePostgresSchema, PG_URL } from '../../support/postgres-harness';
import { freshStore, rowsOf } from './postgres-test.helpers';

const schema = usePostgresSchema('store');
const VERSION = '2025-11-25';

describe.each([
  ['prepared statements', {}],
  ['unnamed statements', { preparedStatements: false }],
  ['asynchronous commits', { synchronousCommit: false }],
])('PostgresSessionStore with %s', (variant, options) => {
  sessionStoreContract(
    `PostgresSessionStore (${variant})`,
    async () => ({ store: await freshStore(schema, options) }),
    { touch: true, count: true, cleanupExpired: true },
  );
});

describe('PostgresSessionStore specifics', () => {
  it('lets exactly one of two instances win a create race; the loser gets a fresh id', async () => {
    const table = schema.freshTable();
    const a = await freshStore(schema, { table });
    const b = new PostgresSessionStore(schema.newPool(), {
      schema: schema.name,
      table,
      statementTimeout: 10_000,
    });
    for (let round = 0; round < 100; round++) {
      const id = `race-${round}`;
      const first = new SessionRecord(id, VERSION, 60_000);
      const second = new SessionRecord(id, VERSION, 60_000);
      first.data = { by: 'a' };
      second.data = { by: 'b' };
      await Promise.all([a.create(first), b.create(second)]);

      const winners = [first, second].filter((record) => record.id === id);
      expect(winners).toHaveLength(1);
      const loser = winners[0] === first ? second : first;
      expect(loser.id).toMatch(/^[0-9a-f-]{36}$/);
      expect((await a.load(id))?.data).toEqual(winners[0].data);
      expect((await b.load(loser.id))?.data).toEqual(loser.data);
    }
    expect(await a.count()).toBe(200);
  });

  it('never resurrects a session in thousands of interleaved touch/delete pairs', async () => {
    const table = schema.freshTable();
    const toucher = await freshStore(schema, { table });
    const deleter = new PostgresSessionStore(schema.newPool(), {
      schema: schema.name,
      table,
      statementTimeout: 10_000,
    });
    const ids = Array.from({ length: 3000 }, (_, i) => `pair-${i}`);
    for (let i = 0; i < ids.length; i += 250) {
      await Promise.all(
        ids.slice(i, i + 250).map((id) => toucher.create(new SessionRecord(id, VERSION, 60_000))),
      );
    }
    expect(await toucher.count()).toBe(ids.length);

    let touchedFirst = 0;
    for (let i = 0; i < ids.length; i += 100) {
      await Promise.all(
        ids.slice(i, i + 100).map(async (id, j) => {
          // Alternate which call is issued first, so both orders happen.
          const [touched] =
            j % 2 === 0
              ? await Promise.all([toucher.touch(id, 600_000), deleter.delete(id)])
              : (await Promise.all([deleter.delete(id), toucher.touch(id, 600_000)])).reverse();
          if (touched) touchedFirst++;
        }),
      );
    }

    expect(touchedFirst).toBeGreaterThan(0);
    expect(touchedFirst).toBeLessThan(ids.length);
    for (const id of ids) expect(await toucher.load(id)).toBeUndefined();
    expect(await toucher.count()).toBe(0);
    expect(await rowsOf(schema.pool, schema.name, table)).toEqual([]);
  });

  it('loses no increment when two instances update one session concurrently', async () => {
    const table = schema.freshTable();
    const a = await freshStore(schema, { table });
    const b = new PostgresSessionStore(schema.newPool(), {
      schema: schema.name,
      table,
      statementTimeout: 10_000,
    });
    await a.create(new SessionRecord('counter', VERSION, 60_000));
    const increment = (record: SessionRecord) => {
      record.data = { count: Number(record.data?.count ?? 0) + 1 };
    };
    const updates = Array.from({ length: 40 }, (_, i) =>
      (i % 2 === 0 ? a : b).update('counter', increment),
    );
    await Promise.all(updates);
    const loaded = (await b.load('counter'))!;
    expect(loaded.data).toEqual({ count: 40 });
    expect(loaded.revision).toBe(41);
    // A copy read before those writes cannot overwrite them.
    const stale = new SessionRecord('counter', VERSION, 60_000);
    stale.revision = 1;
    await expect(a.save(stale)).rejects.toMatchObject({ kind: 'conflict' });
  });

  it('after a lost race, applies the change again under the row lock, where it cannot lose', async () => {
    const table = schema.freshTable();
    await freshStore(schema, { table });
    const qualified = `"${schema.name}"."${table}"`;
    // The real pool; before the first optimistic write, another writer gets in.
    const pool = schema.newPool({ max: 1 });
    let interfered = false;
    const interfering: PostgresPool = {
      options: pool.options,
      end: () => pool.end(),
      connect: async () => {
        const client = await pool.connect();
        return {
          query: async (query: PostgresQuery) => {
            if (!interfered && query.text.startsWith('WITH written AS')) {
              interfered = true;
              await schema.pool.query(
                `UPDATE ${qualified} SET revision = revision + 1, record = $2 WHERE id = $1`,
                ['raced', JSON.stringify({ protocolVersion: VERSION, data: { by: 'other' } })],
              );
            }
            return client.query(query as QueryConfig);
          },
          release: (error) => client.release(error),
          on: (event, listener) => client.on(event, listener),
          removeListener: (event, listener) => client.removeListener(event, listener),
        };
      },
    };
    const store = new PostgresSessionStore(interfering, { schema: schema.name, table });
    await store.create(new SessionRecord('raced', VERSION, 60_000));
    const seen: unknown[] = [];
    const updated = await store.update('raced', (record) => {
      seen.push(record.data);
      record.data = { ...record.data, mine: true };
    });
    expect(seen).toEqual([undefined, { by: 'other' }]);
    expect(updated?.data).toEqual({ by: 'other', mine: true });
    expect(updated?.revision).toBe(3);
    expect((await store.load('raced'))?.data).toEqual({ by: 'other', mine: true });

    // A change that throws on the locked attempt: rolled back, and the one
    // connection of the pool serves on.
    interfered = false;
    const refusal = new Error('refused on the second look');
    let calls = 0;
    await expect(
      store.update('raced', () => {
        if (++calls === 2) throw refusal;
      }),
    ).rejects.toBe(refusal);
    const after = (await store.load('raced'))!;
    expect(after.revision).toBe(4);
    expect(after.data).toEqual({ by: 'other' });

    // With retries 0, a lost race is a conflict.
    interfered = false;
    await expect(store.update('raced', () => undefined, { retries: 0 })).rejects.toMatchObject({
      kind: 'conflict',
    });
  });

  it('stores the times the application computed, to the millisecond, and compares with its clock', async () => {
    const store = await freshStore(schema);
    const record = new SessionRecord('times', VERSION, 60_000);
    record.createdAt = new Date(Date.UTC(2001, 1, 3, 4, 5, 6, 789));
    record.lastAccessed = new Date(Date.now() - 1);
    record.expiresAt = new Date(Date.now() + 3_600_123);
    await store.save(record);
    const loaded = (await store.load('times'))!;
    for (const field of ['createdAt', 'lastAccessed', 'expiresAt'] as const) {
      expect(loaded[field].getTime()).toBe(record[field].getTime());
    }
    const before = Date.now();
    const touched = (await store.touch('times', 1_234_567))!;
    expect(touched.expiresAt.getTime() - touched.lastAccessed.getTime()).toBe(1_234_567);
    expect(touched.lastAccessed.getTime()).toBeGreaterThanOrEqual(before);
    const again = (await store.load('times'))!;
    expect(again.expiresAt.getTime()).toBe(touched.expiresAt.getTime());
    expect(again.createdAt.getTime()).toBe(record.createdAt.getTime());
  });

  it('keeps ids that look like SQL apart, and treats ids PostgreSQL cannot hold as unknown', async () => {
    const store = await freshStore(schema);
    const ids = [
      "'; DROP TABLE x; --",
      '%',
      '_',
      '\\',
      '"',
      'a b\r\nc',
      'ünïcödé-🙂',
      'x'.repeat(2000),
    ];
    for (const id of ids) {
      const record = new SessionRecord(id, VERSION, 60_000);
      record.data = { id, nul: 'a\u0000b', lone: '\ud800' };
      await store.create(record);
      expect(record.id).toBe(id);
    }
    expect(await store.count()).toBe(ids.length);
    for (const id of ids) {
      expect((await store.load(id))?.data).toEqual({ id, nul: 'a\u0000b', lone: '\ud800' });
    }
    await store.delete('%');
    expect(await store.count()).toBe(ids.length - 1);

    for (const id of ['nul\u0000', 'lone\udc00', '\ud800x']) {
      expect(await store.load(id)).toBeUndefined();
      expect(await store.touch(id, 60_000)).toBeUndefined();
      await expect(store.delete(id)).resolves.toBeUndefined();
      const error = await store.save(new SessionRecord(id, VERSION, 60_000)).catch((e) => e);
      expect(error).toBeInstanceOf(SessionStoreError);
      expect(error.kind).toBe('encode');
    }
  });

  it('rejects records it cannot encode with kind encode, and writes nothing', async () => {
    const store = await freshStore(schema);
    const cyclic = new SessionRecord('cyclic', VERSION, 60_000);
    const data: Record<string, unknown> = {};
    data.self = data;
    cyclic.data = data;
    const badDate = new SessionRecord('bad-date', VERSION, 60_000);
    badDate.expiresAt = new Date(NaN);
    for (const record of [cyclic, badDate]) {
      await expect(store.save(record)).rejects.toMatchObject({ kind: 'encode' });
      await expect(store.create(record)).rejects.toMatchObject({ kind: 'encode' });
    }
    expect(await store.count()).toBe(0);
  });

  it('migrates idempotently, also when instances run migrate() at once', async () => {
    const table = schema.freshTable('migrated');
    const stores = Array.from(
      { length: 6 },
      () => new PostgresSessionStore(schema.newPool({ max: 1 }), { schema: schema.name, table }),
    );
    await Promise.all(stores.map((store) => store.migrate()));
    await stores[0].migrate();
    const { rows } = await schema.pool.query(
      `SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = $2 ORDER BY 1`,
      [schema.name, table],
    );
    expect(rows.map((row) => row.indexname)).toEqual([`${table}_expires_at_idx`, `${table}_pkey`]);
    await stores[1].create(new SessionRecord('after-migrate', VERSION, 60_000));
    expect(await stores[2].count()).toBe(1);
  });

  it('never creates its table at request time: a missing table is a backend error that says so', async () => {
    const store = new PostgresSessionStore(schema.pool, {
      schema: schema.name,
      table: schema.freshTable('never-migrated'),
    });
    const error = await store.load('x').catch((e) => e);
    expect(error).toBeInstanceOf(SessionStoreError);
    expect(error.kind).toBe('backend');
    expect(error.message).toMatch(/run migrate\(\)/);
    await expect(store.count()).rejects.toMatchObject({ kind: 'backend' });
  });

  it('applies migrationSql() to the same table migrate() makes', async () => {
    const table = schema.freshTable('by-hand');
    await schema.pool.query(PostgresSessionStore.migrationSql({ schema: schema.name, table }));
    const store = new PostgresSessionStore(schema.pool, { schema: schema.name, table });
    await store.migrate();
    await store.create(new SessionRecord('hand', VERSION, 60_000));
    expect((await store.load('hand'))?.id).toBe('hand');
  });

  it('checks its options before anything is opened', () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ statementTimeout: 0 }, /statementTimeout/],
      [{ statementTimeout: Infinity }, /statementTimeout/],
      [{ cleanupBatchSize: 1.5 }, /cleanupBatchSize/],
      [{ table: '' }, /table/],
      [{ table: 't'.repeat(49) }, /table/],
      [{ schema: 'a\u0000b' }, /schema/],
      [{ preparedStatements: 'yes' }, /preparedStatements/],
      [{ synchronousCommit: 0 }, /synchronousCommit/],
    ];
    for (const [options, message] of bad) {
      expect(() => new PostgresSessionStore(schema.pool, options)).toThrow(message);
      expect(() => new PostgresSessionStore(schema.pool, options)).toThrow(InvalidOptionError);
      expect(() => PostgresSessionStore.fromUrl(PG_URL, options)).toThrow(message);
    }
    expect(() => PostgresSessionStore.fromUrl('')).toThrow(/url/);
  });

  it('commits its own writes asynchronously with synchronousCommit false, and only those', async () => {
    const pool = schema.newPool({ max: 1 });
    const store = await freshStore(schema, { synchronousCommit: false }, pool);
    const record = await store.create(new SessionRecord('async', VERSION, 60_000));
    await store.save(record);
    await store.touch('async', 60_000);
    await store.delete('async');
    await store.cleanupExpired();
    // The one connection the store used keeps its own setting.
    expect((await pool.query('SHOW synchronous_commit')).rows[0].synchronous_commit).toBe('on');
    expect(await store.load('async')).toBeUndefined();
  });

  it('leaves a pool it was given open on shutdown', async () => {
    const pool = schema.newPool();
    const store = await freshStore(schema, {}, pool);
    expect(store.ownsConnection).toBe(false);
    await store.onApplicationShutdown();
    expect((await pool.query('SELECT 1 AS one')).rows[0].one).toBe(1);
  });

  it('fromUrl: opens its own pool, serves, and ends it on shutdown (idempotent)', async () => {
    const store = PostgresSessionStore.fromUrl(PG_URL, {
      schema: schema.name,
      table: schema.freshTable('owned'),
    });
    expect(store.ownsConnection).toBe(true);
    await store.migrate();
    await store.create(new SessionRecord('owned', VERSION, 60_000));
    expect((await store.touch('owned', 60_000))?.id).toBe('owned');
    const { rows } = await (store.pool as unknown as typeof schema.pool).query(
      'SHOW statement_timeout',
    );
    expect(rows[0].statement_timeout).toBe('1s');
    await store.onApplicationShutdown();
    await store.onApplicationShutdown();
    expect((store.pool as unknown as { ended: boolean }).ended).toBe(true);
  });
});
