import type { Pool } from 'pg';
import { PostgresSessionStore } from '../../../lib/stores/postgres/postgres-session.store';
import type { PostgresSessionStoreOptions } from '../../../lib/stores/postgres/postgres-session.options';
import type { PostgresSchema } from '../../support/postgres-harness';

/**
 * A migrated store on a fresh table of the spec file's schema. Generous
 * statementTimeout: the machine may be busy and these tests are about
 * behaviour; the bound itself is tested in the outage spec.
 */
export async function freshStore(
  schema: PostgresSchema,
  options: PostgresSessionStoreOptions = {},
  pool: Pool = schema.pool,
): Promise<PostgresSessionStore> {
  const store = new PostgresSessionStore(pool, {
    schema: schema.name,
    table: schema.freshTable(),
    statementTimeout: 10_000,
    ...options,
  });
  await store.migrate();
  return store;
}

/** Every row of a store's table, as stored (test use only). */
export async function rowsOf(
  pool: Pool,
  schema: string,
  table: string,
): Promise<{ id: string; format: number; record: string; expires_at: Date }[]> {
  const { rows } = await pool.query(`SELECT * FROM "${schema}"."${table}" ORDER BY id`);
  return rows;
}
