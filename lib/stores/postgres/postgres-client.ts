/**
 * The small parts of node-postgres (`pg`) that the Postgres store and channel
 * use, as structural types of our own: the package's public declarations never
 * import `pg`, so an application without it compiles. A `pg.Pool` and a
 * `pg.Client` fit them.
 */

/** Parses one column value; the store reads every column as text. */
export type PostgresValueParser = (value: string) => unknown;

/** A query as the store sends it (a subset of pg's `QueryConfig`). */
export interface PostgresQuery {
  text: string;
  values?: unknown[];
  /** Prepared-statement name (pg prepares it once per connection). */
  name?: string;
  rowMode?: 'array';
  types?: { getTypeParser(oid: number, format?: string): PostgresValueParser };
}

/** What a query resolves to (a subset of pg's `QueryResult`). */
export interface PostgresResult {
  rows: unknown[];
  rowCount: number | null;
}

/** A connection checked out of a pool (pg's `PoolClient`). */
export interface PostgresPoolClient {
  query(query: PostgresQuery): Promise<PostgresResult>;
  /** Returns the connection to its pool; with an error, the pool discards it. */
  release(error?: Error | boolean): void;
  on(event: 'error', listener: (error: Error) => void): unknown;
  removeListener(event: 'error', listener: (error: Error) => void): unknown;
}

/** A connection pool (pg's `Pool`). */
export interface PostgresPool {
  connect(): Promise<PostgresPoolClient>;
  end(): Promise<void>;
  /** The pool's connection settings; the invalidation channel opens its own connection with them. */
  readonly options?: object;
}

/** A notification received on a `LISTEN`ing connection. */
export interface PostgresNotification {
  channel: string;
  payload?: string;
}

/** A single connection (pg's `Client`), as the invalidation channel uses it to `LISTEN`. */
export interface PostgresListenClient {
  connect(): Promise<unknown>;
  query(text: string): Promise<unknown>;
  end(): Promise<void>;
  on(event: 'notification', listener: (message: PostgresNotification) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
}

/** The constructors of the `pg` module the library calls. */
export interface PgModule {
  Pool: new (config: Record<string, unknown>) => PostgresPool & {
    on(event: 'error', listener: (error: Error) => void): unknown;
    on(event: 'connect', listener: () => void): unknown;
  };
  Client: new (config: Record<string, unknown>) => PostgresListenClient;
}
