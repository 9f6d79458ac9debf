import { Logger } from '@nestjs/common';
import type { Pool, QueryConfig } from 'pg';
import { SessionRecord, SessionStoreError } from '../../../lib';
import type { PostgresPool } from '../../../lib/stores/postgres/postgres-client';
import { PostgresSessionStore } from '../../../lib/stores/postgres/postgres-session.store';
import { startPostgresProxy, usePostgresSchema } from '../../support/postgres-harness';
import { freshStore } from './postgres-test.helpers';

const schema = usePostgresSchema('touchbatch');
const VERSION = '2025-11-25';
const HOUR = 3_600_000;

/** `pool`, recording the text of every statement sent through it. */
function recorded(pool: Pool): { pool: PostgresPool; texts: string[] } {
  const texts: string[] = [];
  return {
    texts,
    pool: {
      options: pool.options,
      end: () => pool.end(),
      connect: async () => {
        const client = await pool.connect();
        return {
          query: (query) => {
            texts.push(query.text);
            return client.query(query as QueryConfig);
          },
          release: (error) => client.release(error),
          on: (event, listener) => client.on(event, listener),
          removeListener: (event, listener) => client.removeListener(event, listener),
        };
      },
    },
  };
}

const batched = (texts: string[]) => texts.filter((text) => text.startsWith('WITH l AS')).length;

/**
 * A store on a fresh table, through a recording pool of 8 connections (up to
 * 6 outstanding touches go alone, 8 less the 2 shared statements; beyond
 * that they share statements); `table` is its quoted name.
 */
async function recordedStore(options: { synchronousCommit?: boolean } = {}) {
  const name = schema.freshTable();
  const { pool, texts } = recorded(schema.newPool({ max: 8 }));
  const store = new PostgresSessionStore(pool, {
    schema: schema.name,
    table: name,
    statementTimeout: 10_000,
    ...options,
  });
  await store.migrate();
  return { store, texts, table: `"${schema.name}"."${name}"` };
}

describe('PostgresSessionStore.touch, many at once (touches share statements)', () => {
  it.each([true, false])(
    'touches each live row with its own times, and only live rows (synchronousCommit %s)',
    async (synchronousCommit) => {
      const { store, texts, table } = await recordedStore({ synchronousCommit });
      // Ids of every shape an array parameter must carry as they are.
      const odd = ['a"quote', 'back\\slash', '{brace}', 'com,ma', 'NULL', '', ' space ', 'é🙂'];
      const live = [...odd, ...Array.from({ length: 60 }, (_, i) => `live-${i}`)];
      for (const id of live) await store.create(new SessionRecord(id, VERSION, HOUR));
      await store.create(new SessionRecord('deleted', VERSION, HOUR));
      await store.delete('deleted');
      await store.create(new SessionRecord('expired', VERSION, HOUR));
      await schema.pool.query(
        `UPDATE ${table} SET expires_at = now() - interval '1 second' WHERE id = 'expired'`,
      );
      texts.length = 0;

      const dead = ['deleted', 'expired', 'unknown-1', 'unknown-2'];
      // Every id twice (the second touch of an id waits for a later statement), each with its own ttl.
      const calls = [...live, ...dead, ...live].map((id, i) => ({ id, ttl: HOUR + i }));
      const results = await Promise.all(calls.map(({ id, ttl }) => store.touch(id, ttl)));

      expect(batched(texts)).toBeGreaterThan(0);
      expect(texts.length).toBeLessThan(calls.length / 4);
      const last = new Map<string, SessionRecord>();
      calls.forEach(({ id, ttl }, i) => {
        const touched = results[i];
        if (dead.includes(id)) return expect(touched).toBeUndefined();
        expect(touched?.id).toBe(id);
        expect(touched!.expiresAt.getTime() - touched!.lastAccessed.getTime()).toBe(ttl);
        last.set(id, touched!);
      });
      for (const id of live) {
        const loaded = await store.load(id);
        // The later touch of an id went in a later statement: its times are the stored ones.
        expect(loaded?.expiresAt.getTime()).toBe(last.get(id)!.expiresAt.getTime());
        expect(loaded?.lastAccessed.getTime()).toBe(last.get(id)!.lastAccessed.getTime());
      }
      for (const id of dead) expect(await store.load(id)).toBeUndefined();
      expect(await store.count()).toBe(live.length);
    },
  );

  it('sends each touch alone while no more are outstanding than the pool has connections', async () => {
    const { store, texts } = await recordedStore();
    const ids = Array.from({ length: 6 }, (_, i) => `row-${i}`);
    for (const id of ids) await store.create(new SessionRecord(id, VERSION, HOUR));
    texts.length = 0;
    const results = await Promise.all(ids.map((id) => store.touch(id, HOUR)));
    results.forEach((touched, i) => expect(touched?.id).toBe(ids[i]));
    expect(texts).toHaveLength(6);
    expect(batched(texts)).toBe(0);
  });

  it('neither waits for nor holds up the others for a row another transaction holds', async () => {
    const { store, texts, table } = await recordedStore();
    const ids = Array.from({ length: 30 }, (_, i) => `row-${i}`);
    for (const id of ids) await store.create(new SessionRecord(id, VERSION, HOUR));
    const locker = await schema.pool.connect();
    try {
      await locker.query('BEGIN');
      await locker.query(`SELECT 1 FROM ${table} WHERE id = 'row-29' FOR UPDATE`);
      let heldDone = false;
      texts.length = 0;
      // The first 6 go alone; row-29, the 30th, in a shared statement.
      const others = ids.slice(0, 29).map((id) => store.touch(id, HOUR));
      const held = store.touch('row-29', HOUR).finally(() => (heldDone = true));
      for (const touched of await Promise.all(others)) expect(touched).toBeDefined();
      expect(batched(texts)).toBeGreaterThan(0);
      expect(heldDone).toBe(false);
      await locker.query('COMMIT');
      expect((await held)?.id).toBe('row-29');
    } finally {
      locker.release();
    }
  });

  it('moves an unreadable row aside without failing the touches it shares a statement with', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const { store, texts, table } = await recordedStore();
      const ids = Array.from({ length: 20 }, (_, i) => `row-${i}`);
      for (const id of ids) await store.create(new SessionRecord(id, VERSION, HOUR));
      await schema.pool.query(`UPDATE ${table} SET format = 9 WHERE id = 'row-10'`);
      texts.length = 0;
      const results = await Promise.all(ids.map((id) => store.touch(id, HOUR)));
      expect(batched(texts)).toBeGreaterThan(0);
      results.forEach((touched, i) => expect(touched?.id).toBe(i === 10 ? undefined : ids[i]));
      expect(await store.load('row-10')).toBeUndefined();
      expect(warn).toHaveBeenCalledTimes(1);
    } finally {
      warn.mockRestore();
    }
  });

  it('rejects every touch with kind backend when the table is missing (each touch alone)', async () => {
    const store = new PostgresSessionStore(schema.pool, {
      schema: schema.name,
      table: schema.freshTable('never_migrated'),
    });
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => store.touch(`missing-${i}`, HOUR)),
    );
    for (const result of results) {
      expect(result.status).toBe('rejected');
      const reason = (result as PromiseRejectedResult).reason as SessionStoreError;
      expect(reason).toBeInstanceOf(SessionStoreError);
      expect(reason.kind).toBe('backend');
      expect(reason.message).toContain('run migrate() once');
    }
  });

  it('rejects waiting touches too, with kind backend, when PostgreSQL stops answering', async () => {
    const proxy = await startPostgresProxy();
    try {
      const name = schema.freshTable();
      await freshStore(schema, { table: name });
      const store = new PostgresSessionStore(
        schema.newPool({ connectionString: proxy.url, max: 4 }),
        { schema: schema.name, table: name, statementTimeout: 500 },
      );
      await store.create(new SessionRecord('kept', VERSION, HOUR));
      proxy.hang();
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) => store.touch(i % 2 ? 'kept' : `other-${i}`, HOUR)),
      );
      for (const result of results) {
        expect(result.status).toBe('rejected');
        expect((result as PromiseRejectedResult).reason).toMatchObject({ kind: 'backend' });
      }
      proxy.restore();
    } finally {
      await proxy.stop();
    }
  });
});
