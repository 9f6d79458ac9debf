import { randomUUID } from 'node:crypto';
import type { SessionStore } from '../contract/session-store';
import { errorMessage, SessionStoreError, shortId } from '../contract/session-store.error';
import { storeCall } from './store-call';
import { storeOutage } from './store-outage';

/** What a probe of a session store found. */
export interface StoreProbe {
  /** Live sessions (`count()`), when the store can count them. */
  sessions?: number;
  /** How long a `load` of an unknown id took, in ms. */
  roundTripMs: number;
}

/** Rejects after `ms` with the reason, the store's last failure added when it has one. */
function deadline(store: SessionStore, ms: number): { expired: Promise<never>; clear(): void } {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const last = storeOutage(store).reason;
      const error = SessionStoreError.backend(
        `no answer within ${ms} ms${last ? ` (last error: ${last})` : ''}`,
        undefined,
      );
      storeOutage(store).failed(error);
      reject(error);
    }, ms);
  });
  expired.catch(() => undefined);
  return { expired, clear: () => clearTimeout(timer) };
}

/**
 * Probes `store`: a `load` of a random unknown id (its time is the round
 * trip), then `count()` when the store has it, all within `timeoutMs`. Both
 * calls reach the metrics and the store's outage log.
 * @throws Error whose message says why the store is not healthy.
 */
export async function probeStore(store: SessionStore, timeoutMs: number): Promise<StoreProbe> {
  const { expired, clear } = deadline(store, timeoutMs);
  const probe = randomUUID();
  try {
    const started = performance.now();
    const found = await Promise.race([storeCall(store, 'load', () => store.load(probe)), expired]);
    const roundTripMs = Math.round((performance.now() - started) * 100) / 100;
    if (found !== undefined) throw new Error('a load of a random id found a record');
    if (typeof store.count !== 'function') return { roundTripMs };
    const sessions = await Promise.race([storeCall(store, 'count', () => store.count!()), expired]);
    return { sessions, roundTripMs };
  } catch (error) {
    // The probe's id means nothing to a reader: named as what it is.
    const message = errorMessage(error).split(probe).join(shortId(probe));
    throw new Error(message.split(shortId(probe)).join('(health probe)'), { cause: error });
  } finally {
    clear();
  }
}
