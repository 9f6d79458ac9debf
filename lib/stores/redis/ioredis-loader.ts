import type * as IORedis from 'ioredis';
import { errorMessage } from '../../contract/session-store.error';

let ioredis: typeof IORedis | undefined;

/**
 * Loads ioredis on first use, so that applications that only use the memory
 * store need not install it (it is an optional peer dependency). Only the
 * code paths that open a connection themselves call this; a client passed in
 * by the user is used as it is.
 * @throws Error naming the package when it is missing.
 */
export function loadIoredis(): typeof IORedis {
  if (ioredis) return ioredis;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    ioredis = require('ioredis') as typeof IORedis;
    return ioredis;
  } catch (error) {
    throw new Error(`The Redis stores need ioredis (npm install ioredis): ${errorMessage(error)}`);
  }
}
