import {
  checkMilliseconds,
  checkPositiveInteger,
  invalidOption,
} from '../../contract/option-checks';
import { checkMaxRecordBytes } from '../../contract/record-size';

/** Options of {@link PostgresSessionStore}. */
export interface PostgresSessionStoreOptions {
  /** Schema of the sessions table; it must exist (`migrate()` creates only the table). Default `public`. */
  schema?: string;
  /** Name of the sessions table. Default `mcp_sessions`. */
  table?: string;
  /**
   * Upper bound in ms for every store call, waiting for a pooled connection
   * included; a call PostgreSQL does not answer in time rejects with
   * `SessionStoreError` kind `backend`. Connections the store opens also get
   * it as the server's `statement_timeout`. Default 1000.
   */
  statementTimeout?: number;
  /**
   * Most rows one `cleanupExpired` statement deletes; the sweep loops until no
   * expired row is left, each batch its own short transaction. Default 1000.
   */
  cleanupBatchSize?: number;
  /**
   * Send the store's statements as named prepared statements (parsed and
   * planned once per connection). Turn off behind a pooler that cannot keep
   * them (PgBouncer in transaction mode before 1.21). Default `true`.
   */
  preparedStatements?: boolean;
  /**
   * `false`: the store's writes commit without waiting for their WAL flush
   * (`synchronous_commit = off` for those transactions only; the connections
   * keep their own setting). Several times faster writes (a `touch` is one),
   * at the price that a database crash may lose the last few hundred ms of
   * session writes; never corruption. Default `true` (durable).
   */
  synchronousCommit?: boolean;
  /**
   * Largest `record` column a write accepts, in bytes (the JSON of the fields
   * that are not columns): a larger record is refused with kind `encode`. An
   * integer >= 1024, or `Infinity`. Default 65 536 (64 KiB).
   */
  maxRecordBytes?: number;
}

/** Options with defaults applied and checked. */
export type ResolvedPostgresSessionStoreOptions = Required<PostgresSessionStoreOptions>;

/** PostgreSQL's longest identifier, in bytes (NAMEDATALEN - 1). */
const MAX_IDENTIFIER = 63;
/** Suffix of the expiry index's name (`<table>_expires_at_idx`). */
export const INDEX_SUFFIX = '_expires_at_idx';
/** Suffix of the quarantine table's name (`<table>_quarantine`), shorter than the index's. */
export const QUARANTINE_SUFFIX = '_quarantine';

const OWNER = 'PostgresSessionStore';

function fail(option: string, expected: string, value: unknown): never {
  throw invalidOption(OWNER, option, expected, value);
}

function identifier(option: string, value: unknown, room: number): string {
  if (
    typeof value !== 'string' ||
    value.length === 0 ||
    value.includes('\0') ||
    Buffer.byteLength(value) > room
  ) {
    fail(option, `a non-empty name of at most ${room} bytes, without NUL`, value);
  }
  return value;
}

/**
 * Applies defaults and checks every option.
 * @throws InvalidOptionError naming the option that is wrong.
 */
export function resolvePostgresOptions(
  options: PostgresSessionStoreOptions = {},
): ResolvedPostgresSessionStoreOptions {
  const {
    schema = 'public',
    table = 'mcp_sessions',
    statementTimeout = 1000,
    cleanupBatchSize = 1000,
    preparedStatements = true,
    synchronousCommit = true,
  } = options;
  for (const [name, value] of Object.entries({ preparedStatements, synchronousCommit })) {
    if (typeof value !== 'boolean') fail(name, 'a boolean', value);
  }
  return {
    schema: identifier('schema', schema, MAX_IDENTIFIER),
    // The index is named after the table: both must fit.
    table: identifier('table', table, MAX_IDENTIFIER - INDEX_SUFFIX.length),
    statementTimeout: checkMilliseconds(statementTimeout, 'statementTimeout', { owner: OWNER }),
    cleanupBatchSize: checkPositiveInteger(cleanupBatchSize, 'cleanupBatchSize', OWNER),
    preparedStatements,
    synchronousCommit,
    maxRecordBytes: checkMaxRecordBytes(options.maxRecordBytes, OWNER),
  };
}
