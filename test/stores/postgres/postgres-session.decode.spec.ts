import { Logger } from '@nestjs/common';
import { SessionRecord } from '../../../lib';
import { PostgresSessionStore } from '../../../lib/stores/postgres/postgres-session.store';
import { usePostgresSchema } from '../../support/postgres-harness';
import { freshStore } from './postgres-test.helpers';

const schema = usePostgresSchema('decode');
const VERSION = '2025-11-25';
const ID = 'corrupt-0123456789abcdef';
const DAY = 24 * 60 * 60_000;

/** Rows another writer (an old version, a hand edit) could leave behind. */
const CORRUPTIONS: [string, string][] = [
  ['record is not JSON', `record = '{"protocolVersion": '`],
  ['record is a JSON array', `record = '[]'`],
  ['an unknown field', `record = '{"protocolVersion":"2025-11-25","extra":1}'`],
  ['protocolVersion is not a string', `record = '{"protocolVersion":7}'`],
  ['clientInfo without a name', `record = '{"protocolVersion":"x","clientInfo":{"version":"1"}}'`],
  ['data is an array', `record = '{"protocolVersion":"x","data":[1]}'`],
  ['owner is a number', `record = '{"protocolVersion":"x","owner":5}'`],
  ['an unknown format version', `format = 2`],
  ['a revision of 0', `revision = 0`],
];

const CALLS: [string, (store: PostgresSessionStore) => Promise<unknown>][] = [
  ['load', (store) => store.load(ID)],
  ['touch', (store) => store.touch(ID, 60_000)],
  ['update', (store) => store.update(ID, () => undefined)],
];

describe('PostgresSessionStore and rows it cannot read', () => {
  let warn: jest.SpyInstance;
  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => {
    warn.mockRestore();
  });

  describe.each(CALLS)('%s', (_, call) => {
    it.each(CORRUPTIONS)(
      '%s: undefined, the row moved to the quarantine table for a day, logged once; nothing else lost',
      async (_, set) => {
        const name = schema.freshTable();
        const store = await freshStore(schema, { table: name });
        const table = `"${schema.name}"."${name}"`;
        const quarantine = `"${schema.name}"."${name}_quarantine"`;
        await store.create(new SessionRecord(ID, VERSION, 60_000));
        const neighbour = new SessionRecord('neighbour', VERSION, 60_000);
        neighbour.data = { kept: true };
        await store.create(neighbour);
        await schema.pool.query(`UPDATE ${table} SET ${set} WHERE id = $1`, [ID]);
        const { rows: before } = await schema.pool.query(
          `SELECT format, revision, record FROM ${table} WHERE id = $1`,
          [ID],
        );

        expect(await call(store)).toBeUndefined();
        const { rows: aside } = await schema.pool.query(
          `SELECT format, revision, record, extract(epoch from quarantined_until - now()) * 1000 AS ttl FROM ${quarantine} WHERE id = $1`,
          [ID],
        );
        expect(aside).toHaveLength(1);
        expect({ ...aside[0], ttl: undefined }).toEqual({ ...before[0], ttl: undefined });
        expect(Number(aside[0].ttl)).toBeGreaterThan(DAY - 60_000);
        expect(Number(aside[0].ttl)).toBeLessThanOrEqual(DAY);
        expect(warn).toHaveBeenCalledTimes(1);
        const [line] = warn.mock.calls[0] as [string];
        expect(line).toContain('corrupt-…');
        expect(line).not.toContain(ID);
        expect(line).toMatch(/quarantine table for 24 h/);

        // The id is unknown now (nothing more logged), the neighbour serves, the id is free.
        expect(await store.load(ID)).toBeUndefined();
        expect(warn).toHaveBeenCalledTimes(1);
        expect(await store.count()).toBe(1);
        expect((await store.touch('neighbour', 60_000))?.data).toEqual({ kept: true });
        const again = await store.create(new SessionRecord(ID, VERSION, 60_000));
        expect(again.id).toBe(ID);
        expect((await store.load(ID))?.revision).toBe(1);
      },
    );
  });

  it('delete removes an unreadable row; the sweep drops quarantined rows after their day', async () => {
    const name = schema.freshTable();
    const store = await freshStore(schema, { table: name });
    const table = `"${schema.name}"."${name}"`;
    const quarantine = `"${schema.name}"."${name}_quarantine"`;
    for (const id of [ID, 'aside-1', 'aside-2']) {
      await store.create(new SessionRecord(id, VERSION, 60_000));
    }
    await schema.pool.query(`UPDATE ${table} SET record = '[]'`);
    await store.delete(ID);
    expect(await store.load('aside-1')).toBeUndefined();
    expect(await store.load('aside-2')).toBeUndefined();
    await schema.pool.query(
      `UPDATE ${quarantine} SET quarantined_until = now() - interval '1 second' WHERE id = 'aside-1'`,
    );
    expect(await store.cleanupExpired()).toBe(0);
    const { rows } = await schema.pool.query(`SELECT id FROM ${quarantine} ORDER BY id`);
    expect(rows).toEqual([{ id: 'aside-2' }]);
    expect((await schema.pool.query(`SELECT id FROM ${table}`)).rows).toEqual([]);
  });
});
