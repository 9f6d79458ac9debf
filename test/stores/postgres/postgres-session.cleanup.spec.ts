import type { Pool, QueryConfig } from 'pg';
import type {
  PostgresPool,
  PostgresPoolClient,
  PostgresQuery,
} from '../../../lib/stores/postgres/postgres-client';
import { PostgresSessionStore } from '../../../lib/stores/postgres/postgres-session.store';
import { statements } from '../../../lib/stores/postgres/postgres-sql';
import { usePostgresSchema } from '../../support/postgres-harness';

const schema = usePostgresSchema('cleanup');
const ROWS = 100_000;
const EXPIRED_EVERY = 10;

/** The real pool, with every statement the store sends and its row count written down. */
function recording(pool: Pool): { pool: PostgresPool; sent: { text: string; rows: number }[] } {
  const sent: { text: string; rows: number }[] = [];
  const wrapped: PostgresPool = {
    options: pool.options,
    end: () => pool.end(),
    connect: async () => {
      const client = await pool.connect();
      const spy: PostgresPoolClient = {
        query: async (query: PostgresQuery) => {
          const result = await client.query(query as QueryConfig);
          sent.push({ text: query.text, rows: result.rowCount ?? 0 });
          return result;
        },
        release: (error) => client.release(error),
        on: (event, listener) => client.on(event, listener),
        removeListener: (event, listener) => client.removeListener(event, listener),
      };
      return spy;
    },
  };
  return { pool: wrapped, sent };
}

/** `ROWS` sessions written by SQL, every `EXPIRED_EVERY`-th expired an hour ago. */
async function populate(table: string): Promise<void> {
  await schema.pool.query(
    `INSERT INTO "${schema.name}"."${table}" (id, format, revision, created_at, last_accessed, expires_at, record)
     SELECT 'id-' || g, 1, 1, now(), now(),
            CASE WHEN g % ${EXPIRED_EVERY} = 0 THEN now() - interval '1 hour' ELSE now() + interval '1 hour' END,
            '{"protocolVersion":"2025-11-25","clientInfo":{"name":"claude-code","version":"2.0.14"}}'
       FROM generate_series(1, ${ROWS}) AS g`,
  );
  await schema.pool.query(`VACUUM ANALYZE "${schema.name}"."${table}"`);
}

describe(`PostgresSessionStore.cleanupExpired over ${ROWS} rows, ${100 / EXPIRED_EVERY}% expired`, () => {
  it('deletes in bounded batches, each its own statement, while requests keep being served', async () => {
    const table = schema.freshTable();
    const spied = recording(schema.newPool({ max: 2 }));
    const sweeper = new PostgresSessionStore(spied.pool, {
      schema: schema.name,
      table,
      statementTimeout: 30_000,
    });
    await sweeper.migrate();
    await populate(table);
    const requests = new PostgresSessionStore(schema.newPool(), {
      schema: schema.name,
      table,
      statementTimeout: 30_000,
    });

    let sweeping = true;
    let served = 0;
    const failures: unknown[] = [];
    const traffic = (async () => {
      for (let i = 0; sweeping; i++) {
        // Live and expired sessions alike; only the live ones may be touched.
        const n = ((i * 7919) % ROWS) + 1;
        try {
          const touched = await requests.touch(`id-${n}`, 3_600_000);
          const live = n % EXPIRED_EVERY !== 0;
          if ((touched !== undefined) !== live) failures.push(`id-${n}: touched=${!!touched}`);
          served++;
        } catch (error) {
          failures.push(error);
        }
      }
    })();
    const removed = await sweeper.cleanupExpired();
    sweeping = false;
    await traffic;

    expect(removed).toBe(ROWS / EXPIRED_EVERY);
    expect(failures).toEqual([]);
    expect(served).toBeGreaterThan(0);
    // The batches of the sessions table (the sweep then purges the quarantine table once).
    const batches = spied.sent.filter(
      ({ text }) => text.startsWith('DELETE') && text.includes('ctid'),
    );
    expect(batches.length).toBe(ROWS / EXPIRED_EVERY / 1000 + 1);
    expect(Math.max(...batches.map(({ rows }) => rows))).toBe(1000);
    expect(await sweeper.count()).toBe(ROWS - ROWS / EXPIRED_EVERY);
    expect(await sweeper.cleanupExpired()).toBe(0);
  });

  it('lets two instances sweep at once: every expired row is deleted once, live rows stay', async () => {
    const table = schema.freshTable();
    const options = { schema: schema.name, table, statementTimeout: 30_000, cleanupBatchSize: 500 };
    const a = new PostgresSessionStore(schema.newPool(), options);
    const b = new PostgresSessionStore(schema.newPool(), options);
    await a.migrate();
    await populate(table);

    const [byA, byB] = await Promise.all([a.cleanupExpired(), b.cleanupExpired()]);
    expect(byA + byB).toBe(ROWS / EXPIRED_EVERY);
    expect(await a.count()).toBe(ROWS - ROWS / EXPIRED_EVERY);
    const { rows } = await schema.pool.query(
      `SELECT count(*)::int AS n FROM "${schema.name}"."${table}"`,
    );
    expect(rows[0].n).toBe(ROWS - ROWS / EXPIRED_EVERY);
  });

  it('plans count and each cleanup batch on the expiry index', async () => {
    const table = schema.freshTable();
    const store = new PostgresSessionStore(schema.pool, { schema: schema.name, table });
    await store.migrate();
    await populate(table);
    const sql = statements(schema.name, table, { prepared: false, synchronousCommit: true });
    const now = Date.now();
    for (const [text, values] of [
      [sql.count.text, [now]],
      [sql.cleanup.text, [now, 1000]],
    ] as const) {
      const { rows } = await schema.pool.query(`EXPLAIN (FORMAT JSON) ${text}`, [...values]);
      expect(JSON.stringify(rows[0]['QUERY PLAN'])).toContain(
        `"Index Name":"${table}_expires_at_idx"`,
      );
    }
  });
});
