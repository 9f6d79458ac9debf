import { SessionRecord, SessionStoreError } from '../../../lib';
import { usePostgresSchema } from '../../support/postgres-harness';
import { freshStore } from './postgres-test.helpers';

const schema = usePostgresSchema('decode');
const VERSION = '2025-11-25';
const ID = 'corrupt-0123456789abcdef';

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
];

describe('PostgresSessionStore and rows it cannot read', () => {
  it.each(CORRUPTIONS)(
    '%s: load and touch reject with kind decode naming the id prefix; nothing else is lost',
    async (_, set) => {
      const name = schema.freshTable();
      const store = await freshStore(schema, { table: name });
      const table = `"${schema.name}"."${name}"`;
      await store.create(new SessionRecord(ID, VERSION, 60_000));
      const neighbour = new SessionRecord('neighbour', VERSION, 60_000);
      neighbour.data = { kept: true };
      await store.create(neighbour);
      await schema.pool.query(`UPDATE ${table} SET ${set} WHERE id = $1`, [ID]);

      for (const call of [() => store.load(ID), () => store.touch(ID, 60_000)]) {
        const error = await call().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(SessionStoreError);
        expect((error as SessionStoreError).kind).toBe('decode');
        expect((error as SessionStoreError).message).toContain('corrupt-…');
        expect((error as SessionStoreError).message).not.toContain(ID);
      }
      // The row is still there (nothing was deleted), the others serve.
      expect(await store.count()).toBe(2);
      expect((await store.load('neighbour'))?.data).toEqual({ kept: true });
      expect((await store.touch('neighbour', 60_000))?.data).toEqual({ kept: true });
      // A save over it conflicts (it holds a revision); delete removes it, and the id is free again.
      await expect(store.save(new SessionRecord(ID, VERSION, 60_000))).rejects.toMatchObject({
        kind: 'conflict',
      });
      await store.delete(ID);
      expect(await store.load(ID)).toBeUndefined();
      const again = await store.create(new SessionRecord(ID, VERSION, 60_000));
      expect(again.id).toBe(ID);
      expect((await store.load(ID))?.revision).toBe(1);
    },
  );
});
