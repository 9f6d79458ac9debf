import { randomBytes } from 'node:crypto';
import { Pool, type PoolConfig, type QueryConfig } from 'pg';
import type {
  PostgresPool,
  PostgresPoolClient,
  PostgresQuery,
} from '../../lib/stores/postgres/postgres-client';
import type { PostgresSessionStoreOptions } from '../../lib/stores/postgres/postgres-session.options';
import { PostgresSessionStore } from '../../lib/stores/postgres/postgres-session.store';
import { PG_URL } from '../../test/support/postgres-harness';
import { fmtCount } from '../support/context';
import { progress } from '../support/progress';
import { sessionId, typicalRecord } from '../support/records';

/** The run's own schema in the test database (`MCP_TEST_PG_URL` overrides the URL), dropped at the end. */
export interface BenchPostgres {
  readonly schema: string;
  /** A pool of the run (ended by `drop`). */
  pool(config?: PoolConfig): Pool;
  /** A migrated store on a new table of the schema, or on the table of `sharing`. */
  store(
    pool: PostgresPool,
    options?: PostgresSessionStoreOptions & { sharing?: PostgresSessionStore },
  ): Promise<PostgresSessionStore>;
  /** `"schema"."table"` of a store made by `store()`. */
  tableOf(store: PostgresSessionStore): string;
  drop(): Promise<void>;
}

/** Creates the run's schema; resolves to why it cannot when PostgreSQL is not reachable. */
export async function benchPostgres(): Promise<BenchPostgres | string> {
  const schema = `bench_${process.pid}_${randomBytes(3).toString('hex')}`;
  const pools: Pool[] = [];
  const tables = new Map<PostgresSessionStore, string>();
  const pool = (config: PoolConfig = {}): Pool => {
    const created = new Pool({ connectionString: PG_URL, ...config });
    created.on('error', () => undefined);
    pools.push(created);
    return created;
  };
  const admin = pool({ max: 2 });
  try {
    await admin.query(`CREATE SCHEMA "${schema}"`);
  } catch (error) {
    await admin.end();
    return `PostgreSQL not reachable at ${new URL(PG_URL).host}: ${(error as Error).message}`;
  }
  return {
    schema,
    pool,
    async store(on, options = {}) {
      const shared = options.sharing && tables.get(options.sharing);
      const table = shared ? shared.split('"')[3] : `sessions_${tables.size + 1}`;
      const { sharing: _, ...rest } = options;
      const store = new PostgresSessionStore(on, {
        statementTimeout: 10_000,
        ...rest,
        schema,
        table,
      });
      await store.migrate();
      tables.set(store, `"${schema}"."${table}"`);
      return store;
    },
    tableOf(store) {
      const table = tables.get(store);
      if (!table) throw new Error('bench: not a store of this schema');
      return table;
    },
    async drop() {
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
      await Promise.all(pools.map((p) => p.end().catch(() => undefined)));
    },
  };
}

/** The `record` column of a typical record, as the store writes it. */
export async function typicalRecordText(pg: BenchPostgres, admin: Pool): Promise<string> {
  const store = await pg.store(admin);
  const record = await store.create(typicalRecord(60_000));
  const { rows } = await admin.query(`SELECT record FROM ${pg.tableOf(store)} WHERE id = $1`, [
    record.id,
  ]);
  return rows[0].record as string;
}

/**
 * Writes `count` rows with ids `sessionId(from)` … straight in SQL (100k per
 * statement), all with `recordText`; every tenth (`i % 10 === 9`) expired an
 * hour ago unless `allExpired`, then VACUUM ANALYZE.
 */
export async function populateRows(
  admin: Pool,
  table: string,
  count: number,
  recordText: string,
  options: { from?: number; allExpired?: boolean } = {},
): Promise<void> {
  const from = options.from ?? 0;
  const expired = options.allExpired ? 'true' : `g % 10 = 9`;
  for (let start = from; start < from + count; start += 100_000) {
    const end = Math.min(from + count, start + 100_000) - 1;
    await admin.query(
      `INSERT INTO ${table} (id, format, revision, created_at, last_accessed, expires_at, record)
       SELECT '${sessionId(0).slice(0, 24)}' || lpad(to_hex(g), 12, '0'), 1, 1, now(), now(),
              CASE WHEN ${expired} THEN now() - interval '1 hour' ELSE now() + interval '2 hours' END, $1
         FROM generate_series(${start}, ${end}) AS g`,
      [recordText],
    );
    if ((end + 1 - from) % 500_000 === 0) {
      progress(`postgres: ${fmtCount(end + 1 - from)} of ${fmtCount(count)} rows written`);
    }
  }
  await admin.query(`VACUUM ANALYZE ${table}`);
}

/** The real pool, timing every statement the store sends (the longest is what a batch holds its locks for). */
export function timedPool(pool: Pool): { pool: PostgresPool; durations: number[] } {
  const durations: number[] = [];
  return {
    durations,
    pool: {
      options: pool.options,
      end: () => pool.end(),
      connect: async () => {
        const client = await pool.connect();
        const timed: PostgresPoolClient = {
          query: async (query: PostgresQuery) => {
            const t0 = performance.now();
            const result = await client.query(query as QueryConfig);
            durations.push(performance.now() - t0);
            return result;
          },
          release: (error) => client.release(error),
          on: (event, listener) => client.on(event, listener),
          removeListener: (event, listener) => client.removeListener(event, listener),
        };
        return timed;
      },
    },
  };
}
