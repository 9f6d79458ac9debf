import { SessionRecord } from '../../../lib';
import { PostgresSessionStore } from '../../../lib/stores/postgres/postgres-session.store';
import { usePostgresSchema } from '../../support/postgres-harness';

const schema = usePostgresSchema('upgrade');
const VERSION = '2025-11-25';

/** The table as the version before revisions created it. */
const previousMigration = (t: string, index: string) => `
CREATE TABLE ${t} (
  id            text        PRIMARY KEY,
  format        smallint    NOT NULL,
  created_at    timestamptz NOT NULL,
  last_accessed timestamptz NOT NULL,
  expires_at    timestamptz NOT NULL,
  record        text        NOT NULL
);
CREATE INDEX ${index} ON ${t} (expires_at);`;

/** A write as the previous version sends it: no revision column. */
const previousInsert = (t: string) =>
  `INSERT INTO ${t} (id, format, created_at, last_accessed, expires_at, record)
   VALUES ($1, 1, now(), now(), now() + interval '10 minutes', $2)`;

describe('PostgresSessionStore on a table of the previous version', () => {
  it('migrate() adds the revision column (rows at revision 1) once; both versions keep writing', async () => {
    const name = schema.freshTable('previous');
    const t = `"${schema.name}"."${name}"`;
    await schema.pool.query(previousMigration(t, `"${name}_expires_at_idx"`));
    await schema.pool.query(previousInsert(t), [
      'live',
      '{"protocolVersion":"2025-11-25","data":{"n":5}}',
    ]);

    const store = new PostgresSessionStore(schema.pool, {
      schema: schema.name,
      table: name,
      statementTimeout: 10_000,
    });
    await Promise.all([store.migrate(), store.migrate()]);
    await store.migrate();

    const loaded = (await store.load('live'))!;
    expect(loaded).toMatchObject({ revision: 1, data: { n: 5 } });
    const updated = await store.update('live', (r) => void (r.data = { n: 6 }));
    expect(updated?.revision).toBe(2);
    loaded.data = { n: 100 };
    await expect(store.save(loaded)).rejects.toMatchObject({ kind: 'conflict' });

    // An instance of the previous version, still running during the rollout, inserts as before.
    await schema.pool.query(previousInsert(t), ['old-writer', '{"protocolVersion":"2025-11-25"}']);
    expect(await store.load('old-writer')).toMatchObject({ id: 'old-writer', revision: 1 });
    await store.create(new SessionRecord('new-writer', VERSION, 60_000));
    expect(await store.count()).toBe(3);

    // The column's default keeps the previous version's INSERT working.
    const { rows } = await schema.pool.query(
      `SELECT column_name, column_default FROM information_schema.columns
        WHERE table_schema = $1 AND table_name = $2 AND column_name = 'revision'`,
      [schema.name, name],
    );
    expect(rows).toEqual([{ column_name: 'revision', column_default: '1' }]);
  });
});
