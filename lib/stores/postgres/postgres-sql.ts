import { createHash } from 'node:crypto';
import type { PostgresQuery } from './postgres-client';
import { INDEX_SUFFIX, QUARANTINE_SUFFIX } from './postgres-session.options';

/** Quotes an identifier (embedded double quotes doubled): names are data, never SQL. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The format version of the `record` column that this version writes and reads. */
export const FORMAT = 1;

/** App time (epoch ms, a parameter) as a timestamptz; exact to the millisecond. */
const at = (param: string): string => `to_timestamp(${param}::float8 / 1000)`;
/** A timestamptz column as epoch ms (int8, read as text). */
const ms = (column: string): string => `(extract(epoch from ${column}) * 1000)::int8`;

const COLUMNS = 'id, format, revision, created_at, last_accessed, expires_at, record';
/** A row's values: $1 id, `revision`, $2..$4 the times, $5 the record column. */
const VALUES = (revision: string): string =>
  `SELECT $1, ${FORMAT}, ${revision}, ${at('$2')}, ${at('$3')}, ${at('$4')}, $5`;
/**
 * Joined into a write, it makes that one transaction commit without waiting
 * for its WAL flush (`SET LOCAL` in a single statement; the connection keeps
 * its own setting). Evaluated only when a row is written.
 */
const ASYNC = "(SELECT set_config('synchronous_commit', 'off', true)) AS commit_mode";
const REPLACE =
  'SET format = EXCLUDED.format, revision = EXCLUDED.revision, created_at = EXCLUDED.created_at, ' +
  'last_accessed = EXCLUDED.last_accessed, expires_at = EXCLUDED.expires_at, record = EXCLUDED.record';

/** A SQL string literal of `text` (embedded single quotes doubled). */
const literal = (text: string): string => `'${text.replace(/'/g, "''")}'`;

/** The quarantine table of `table`: its rows moved aside, kept a day for inspection. */
export const quarantineTable = (table: string): string => `${table}${QUARANTINE_SUFFIX}`;

/**
 * The table, its expiry index and its quarantine table, for `schema`.`table`:
 * what `migrate()` runs (idempotent) and what teams running their own
 * migrations apply. A table made by an earlier version gets its `revision`
 * column (existing rows at revision 1), checked first so that a table that
 * has it is not locked again at every boot.
 */
export function migrationSql(schema: string, table: string): string {
  const t = `${quoteIdent(schema)}.${quoteIdent(table)}`;
  const q = `${quoteIdent(schema)}.${quoteIdent(quarantineTable(table))}`;
  return `CREATE TABLE IF NOT EXISTS ${t} (
  id            text        PRIMARY KEY,
  format        smallint    NOT NULL,
  revision      bigint      NOT NULL DEFAULT 1,
  created_at    timestamptz NOT NULL,
  last_accessed timestamptz NOT NULL,
  expires_at    timestamptz NOT NULL,
  record        text        NOT NULL
);
DO $mcp_session_migration$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = ${literal(schema)}
                 AND table_name = ${literal(table)} AND column_name = 'revision') THEN
    ALTER TABLE ${t} ADD COLUMN revision bigint NOT NULL DEFAULT 1;
  END IF;
END $mcp_session_migration$;
CREATE INDEX IF NOT EXISTS ${quoteIdent(table + INDEX_SUFFIX)} ON ${t} (expires_at);
CREATE TABLE IF NOT EXISTS ${q} (
  id                text        PRIMARY KEY,
  format            smallint    NOT NULL,
  revision          bigint      NOT NULL,
  created_at        timestamptz NOT NULL,
  last_accessed     timestamptz NOT NULL,
  expires_at        timestamptz NOT NULL,
  record            text        NOT NULL,
  quarantined_until timestamptz NOT NULL
);
`;
}

/**
 * `migrate()` as one simple query, so one implicit transaction: an advisory
 * lock for this table first, because concurrent `CREATE TABLE IF NOT EXISTS`
 * of the same table can fail (instances booting together).
 */
export function lockedMigrationSql(schema: string, table: string): string {
  const key = createHash('sha1').update(`nestjs-mcp-session:${schema}.${table}`).digest();
  return `SELECT pg_advisory_xact_lock(${key.readBigInt64BE(0)});\n${migrationSql(schema, table)}`;
}

/** The statements of one store, each with its prepared-statement name (or none). */
export interface PostgresStatements {
  /** $1 id, $2 createdAt, $3 lastAccessed, $4 expiresAt, $5 record, $6 now: revision 1, unless a live row holds the id. */
  create: PostgresQuery;
  /** $1..$6 as create, $7 the revision read: revision $7 + 1, unless a live row of another revision holds the id. */
  save: PostgresQuery;
  /** As save, but only over the live row of revision $7 -> the new revision (or null), whether a live row exists. */
  update: PostgresQuery;
  /** $1 id, $2 now -> format, revision, record, created, accessed, expires. */
  load: PostgresQuery;
  /** As load, locking the row (FOR UPDATE) until the transaction ends. */
  lock: PostgresQuery;
  /** $1 id, $2 now, $3 new expiresAt -> format, revision, record, created; only a live row. */
  touch: PostgresQuery;
  /**
   * As touch for distinct ids $1 (text[]) with their own nows $2 and expiries
   * $3 (int8[]) -> per id: id, format, revision, record, created (nulls when
   * not touched), held (a row another transaction holds was skipped, not waited for).
   */
  touchMany: PostgresQuery;
  /** $1 id */
  delete: PostgresQuery;
  /** $1 now -> count */
  count: PostgresQuery;
  /** $1 now, $2 batch size: deletes one batch of expired rows. */
  cleanup: PostgresQuery;
  /**
   * $1 id, $2 format, $3 revision, $4 record (as read), $5 until: moves the
   * row to the quarantine table if it is still what was read.
   */
  quarantine: PostgresQuery;
  /** $1 now: deletes the quarantined rows whose day has passed. */
  purge: PostgresQuery;
}

/** Every column is read as text (we parse it): a pool's own type parsers never apply. */
const AS_TEXT = { getTypeParser: () => (value: string) => value };

/** How {@link statements} writes: named prepared statements or not, durable commits or not. */
export interface StatementOptions {
  prepared: boolean;
  synchronousCommit: boolean;
}

/** Builds the statements for `schema`.`table`. */
export function statements(
  schema: string,
  table: string,
  { prepared, synchronousCommit }: StatementOptions,
): PostgresStatements {
  const t = `${quoteIdent(schema)}.${quoteIdent(table)}`;
  const q = `${quoteIdent(schema)}.${quoteIdent(quarantineTable(table))}`;
  const from = synchronousCommit ? '' : ` FROM ${ASYNC}`;
  const using = synchronousCommit ? '' : ` USING ${ASYNC}`;
  const texts: Record<keyof PostgresStatements, string> = {
    create: `INSERT INTO ${t} AS s (${COLUMNS}) ${VALUES('1')}${from} ON CONFLICT (id) DO UPDATE ${REPLACE} WHERE s.expires_at <= ${at('$6')}`,
    save: `INSERT INTO ${t} AS s (${COLUMNS}) ${VALUES('$7::int8 + 1')}${from} ON CONFLICT (id) DO UPDATE ${REPLACE} WHERE s.revision = $7::int8 OR s.expires_at <= ${at('$6')}`,
    // The EXISTS reads the statement's snapshot: a row another write changed
    // meanwhile counts as a conflict (the caller reads it again).
    update: `WITH written AS (UPDATE ${t} SET format = ${FORMAT}, revision = revision + 1, created_at = ${at('$2')}, last_accessed = ${at('$3')}, expires_at = ${at('$4')}, record = $5${from} WHERE id = $1 AND revision = $7::int8 AND expires_at > ${at('$6')} RETURNING revision) SELECT (SELECT revision FROM written), EXISTS (SELECT 1 FROM ${t} WHERE id = $1 AND expires_at > ${at('$6')})`,
    load: `SELECT format, revision, record, ${ms('created_at')}, ${ms('last_accessed')}, ${ms('expires_at')} FROM ${t} WHERE id = $1 AND expires_at > ${at('$2')}`,
    lock: `SELECT format, revision, record, ${ms('created_at')}, ${ms('last_accessed')}, ${ms('expires_at')} FROM ${t} WHERE id = $1 AND expires_at > ${at('$2')} FOR UPDATE`,
    touch: `UPDATE ${t} SET last_accessed = ${at('$2')}, expires_at = ${at('$3')}${from} WHERE id = $1 AND expires_at > ${at('$2')} RETURNING format, revision, record, ${ms('created_at')}`,
    // Rows are locked without waiting (SKIP LOCKED): a batch never waits for
    // a row, so it can neither deadlock nor hold up the other touches in it.
    // `held`: a row the statement's snapshot saw that another transaction
    // holds (touch it alone, waiting as the one-row touch does).
    touchMany:
      `WITH l AS (SELECT id FROM ${t} WHERE id = ANY ($1::text[]) FOR UPDATE SKIP LOCKED), ` +
      `u AS (UPDATE ${t} s SET last_accessed = ${at('i.now_ms')}, expires_at = ${at('i.expires_ms')} ` +
      `FROM unnest($1::text[], $2::int8[], $3::int8[]) AS i (id, now_ms, expires_ms)${synchronousCommit ? '' : `, ${ASYNC}`} ` +
      `WHERE s.id = ANY ($1::text[]) AND s.id = i.id AND s.id IN (SELECT id FROM l) AND s.expires_at > ${at('i.now_ms')} ` +
      `RETURNING s.id, s.format, s.revision, s.record, ${ms('s.created_at')} AS created) ` +
      `SELECT i.id, u.format, u.revision, u.record, u.created, ` +
      `l.id IS NULL AND EXISTS (SELECT 1 FROM ${t} h WHERE h.id = i.id) AS held ` +
      `FROM unnest($1::text[]) AS i (id) LEFT JOIN l ON l.id = i.id LEFT JOIN u ON u.id = i.id`,
    delete: `DELETE FROM ${t}${using} WHERE id = $1`,
    count: `SELECT count(*) FROM ${t} WHERE expires_at > ${at('$1')}`,
    // Row locks taken in expiry order, a bounded batch per statement; SKIP
    // LOCKED lets two sweeping instances (and rows being written) pass by.
    cleanup: `DELETE FROM ${t}${using} WHERE ctid = ANY (ARRAY(SELECT ctid FROM ${t} WHERE expires_at <= ${at('$1')} ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED))`,
    quarantine: `WITH moved AS (DELETE FROM ${t} WHERE id = $1 AND format = $2::smallint AND revision = $3::int8 AND record = $4 RETURNING ${COLUMNS}) INSERT INTO ${q} (${COLUMNS}, quarantined_until) SELECT ${COLUMNS}, ${at('$5')} FROM moved ON CONFLICT (id) DO UPDATE ${REPLACE}, quarantined_until = EXCLUDED.quarantined_until`,
    purge: `DELETE FROM ${q} WHERE quarantined_until <= ${at('$1')}`,
  };
  const out = {} as PostgresStatements;
  for (const [op, text] of Object.entries(texts) as [keyof PostgresStatements, string][]) {
    const hash = createHash('sha1').update(text).digest('hex').slice(0, 16);
    out[op] = { text, rowMode: 'array', types: AS_TEXT };
    if (prepared) out[op].name = `mcp_session_${op}_${hash}`;
  }
  return out;
}
