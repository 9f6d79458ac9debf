import { join } from 'node:path';
import type { SessionStore } from '../../lib/contract/session-store';

/** A store class whose constructor shape the bench relies on. */
export type StoreClass = new (...args: never[]) => SessionStore;

/**
 * An export of the library that may not exist yet (stores and the HTTP layer
 * are built in parallel): looked up in `lib/index`, then in `file` under
 * `lib/`. Resolves to `undefined` when neither has it, so that a scenario can
 * say "not measured" instead of breaking the run.
 */
export function optionalExport<T>(name: string, file: string): T | undefined {
  const libDir = join(__dirname, '..', '..', 'lib');
  for (const path of [join(libDir, 'index'), join(libDir, file)]) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require(path) as Record<string, unknown>;
      if (mod[name] !== undefined) return mod[name] as T;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
    }
  }
  return undefined;
}

/** `RedisSessionStore` (issue 3): `new RedisSessionStore(client, options?)`. */
export function redisStoreClass():
  (new (client: unknown, options?: Record<string, unknown>) => SessionStore) | undefined {
  return optionalExport('RedisSessionStore', 'stores/redis-session.store');
}

/** `CachingSessionStore` (issue 4): `new CachingSessionStore(cache, store, options?)`. */
export function cachingStoreClass():
  | (new (
      cache: SessionStore,
      store: SessionStore,
      options?: Record<string, unknown>,
    ) => SessionStore)
  | undefined {
  return optionalExport('CachingSessionStore', 'stores/caching-session.store');
}

/** Closes a store if it has a close/shutdown hook of its own. */
export async function closeStore(store: unknown): Promise<void> {
  const s = store as Record<string, unknown>;
  for (const hook of ['close', 'onApplicationShutdown', 'onModuleDestroy']) {
    if (typeof s?.[hook] === 'function') {
      await (s[hook] as () => Promise<void>).call(store);
      return;
    }
  }
}

/**
 * Options of every RedisSessionStore the bench measures: a command timeout
 * long enough that a hiccup of a shared machine does not abort a run (the
 * timer is armed per call either way, so the cost measured is the same).
 */
export const BENCH_REDIS_OPTIONS = { commandTimeout: 10_000 };
