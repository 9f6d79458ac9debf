import { Logger } from '@nestjs/common';
import { loadPg } from './pg-loader';
import type { PostgresPool } from './postgres-client';

/**
 * Opens a pool the library owns, to `url` (`postgres://…`; `pg` settings such
 * as `sslmode` go in the URL). Its connections get `statementTimeout` as the
 * server's `statement_timeout` and TCP keep-alive; an idle connection that
 * breaks (a server restart) is logged once per outage, dropped by the pool
 * and replaced on demand.
 * @throws TypeError when `url` is not a non-empty string; Error when `pg` is missing.
 */
export function openPool(
  owner: string,
  url: string,
  statementTimeout: number,
  extra: Record<string, unknown> = {},
): PostgresPool {
  if (typeof url !== 'string' || url.length === 0) {
    throw new TypeError(`${owner}.fromUrl: url must be a non-empty string, got ${String(url)}`);
  }
  const { Pool } = loadPg();
  const pool = new Pool({
    connectionString: url,
    statement_timeout: Math.ceil(statementTimeout),
    connectionTimeoutMillis: Math.max(Math.ceil(statementTimeout), 5_000),
    keepAlive: true,
    ...extra,
  });
  const logger = new Logger(owner);
  let reported = false;
  pool.on('error', (error) => {
    if (reported) return;
    reported = true;
    logger.warn(`Idle PostgreSQL connection lost (${error.message}); the pool opens new ones`);
  });
  pool.on('connect', () => {
    reported = false;
  });
  return pool;
}
