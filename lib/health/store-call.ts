import type { SessionStore } from '../contract/session-store';
import { sessionMetrics, type StoreOperation } from '../metrics/mcp-session.metrics';
import { storeOutage } from './store-outage';

/**
 * Runs one call of `store` and reports it: its latency to the metrics (by
 * `operation`), its outcome to the store's outage log (a failure may open
 * an outage, a success may end one). Resolves or rejects as the call does.
 * `id` is the session the call is about, shortened if it reaches a log.
 */
export function storeCall<T>(
  store: SessionStore,
  operation: StoreOperation,
  call: () => Promise<T>,
  id?: string,
): Promise<T> {
  const started = sessionMetrics.start();
  const startedAt = Date.now();
  let pending: Promise<T>;
  try {
    pending = call();
  } catch (error) {
    pending = Promise.reject(error);
  }
  return pending.then(
    (value) => {
      sessionMetrics.storeCall(operation, started);
      storeOutage(store).succeeded(startedAt);
      return value;
    },
    (error: unknown) => {
      sessionMetrics.storeCall(operation, started, error);
      storeOutage(store).failed(error, id);
      throw error;
    },
  );
}
