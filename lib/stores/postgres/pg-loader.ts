import { errorMessage } from '../../contract/session-store.error';
import type { PgModule } from './postgres-client';

let pg: PgModule | undefined;

/**
 * Loads node-postgres (`pg`) on first use, so that applications that do not
 * use the Postgres store need not install it (it is an optional peer
 * dependency). Only the code paths that open connections themselves call this;
 * a pool passed in by the user is used as it is.
 * @throws Error naming the package when it is missing.
 */
export function loadPg(): PgModule {
  if (pg) return pg;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    pg = require('pg') as PgModule;
    return pg;
  } catch (error) {
    throw new Error(`The PostgreSQL stores need pg (npm install pg): ${errorMessage(error)}`);
  }
}
