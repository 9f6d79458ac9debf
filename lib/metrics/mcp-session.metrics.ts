import type { Counter, Histogram, MeterProvider, ObservableResult } from '@opentelemetry/api';
import type { SessionStore } from '../contract/session-store';
import { SessionStoreError } from '../contract/session-store.error';
import { MCP_SESSION_METER, MCP_SESSION_METRICS as NAMES } from './metric-names';
import { otelApi } from './otel-api';

/** A {@link SessionStore} method, as the store latency histogram names it. */
export type StoreOperation =
  'create' | 'save' | 'load' | 'delete' | 'touch' | 'count' | 'cleanupExpired';

/** How long the live-sessions gauge waits for `count()` before it skips a collection. */
export const LIVE_COUNT_TIMEOUT_MS = 5_000;

/** Bucket bounds (seconds) for store calls: from half a millisecond to 5 s. */
const DURATION_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
];

interface Instruments {
  provider: MeterProvider;
  created: Counter;
  restored: Counter;
  deleted: Counter;
  expired: Counter;
  rejected: Counter;
  routed: Counter;
  storeDuration: Histogram;
}

let current: Instruments | undefined;
/** Stores whose live sessions the gauge reports, with how many modules use each. */
const liveStores = new Map<SessionStore, number>();

/**
 * The instruments on the global meter provider of the moment (rebuilt when
 * the application registers another one), or `undefined` without
 * `@opentelemetry/api`.
 */
function instruments(): Instruments | undefined {
  const api = otelApi();
  if (api === undefined) return undefined;
  const provider = api.metrics.getMeterProvider();
  if (current?.provider !== provider) current = build(provider);
  return current;
}

function build(provider: MeterProvider): Instruments {
  const meter = provider.getMeter(MCP_SESSION_METER);
  const counter = (name: string, description: string, unit: string) =>
    meter.createCounter(name, { description, unit });
  meter
    .createObservableGauge(NAMES.live, {
      description: 'Live sessions in the session store',
      unit: '{session}',
    })
    .addCallback(observeLive);
  return {
    provider,
    created: counter(NAMES.created, 'MCP sessions created', '{session}'),
    restored: counter(NAMES.restored, 'MCP sessions rebuilt in another process', '{session}'),
    deleted: counter(NAMES.deleted, 'MCP sessions ended by their client', '{session}'),
    expired: counter(NAMES.expired, 'Expired session records removed by the sweep', '{session}'),
    rejected: counter(NAMES.rejected, 'MCP requests refused, by HTTP status', '{request}'),
    routed: counter(NAMES.routed, 'Messages routed between instances', '{message}'),
    storeDuration: meter.createHistogram(NAMES.storeDuration, {
      description: 'Session store call latency, by operation',
      unit: 's',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    }),
  };
}

async function liveCount(store: SessionStore): Promise<number | undefined> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(SessionStoreError.backend('count', new Error('no answer in time'))),
      LIVE_COUNT_TIMEOUT_MS,
    );
  });
  try {
    const count = await Promise.race([store.count!(), timeout]);
    sessionMetrics.storeCall('count', started);
    return count;
  } catch (error) {
    sessionMetrics.storeCall('count', started, error);
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

async function observeLive(result: ObservableResult): Promise<void> {
  const counts = await Promise.all([...liveStores.keys()].map(liveCount));
  const known = counts.filter((count): count is number => count !== undefined);
  // A store that did not answer is left out; with none, nothing is reported.
  if (known.length > 0) result.observe(known.reduce((sum, count) => sum + count, 0));
}

/**
 * Reports `store.count()` as the live-sessions gauge (the sum over the
 * distinct stores registered in this process) until the returned function is
 * called. A store without `count` is ignored.
 */
export function observeLiveSessions(store: SessionStore): () => void {
  if (typeof store.count !== 'function' || otelApi() === undefined) return () => undefined;
  instruments();
  liveStores.set(store, (liveStores.get(store) ?? 0) + 1);
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    const left = (liveStores.get(store) ?? 1) - 1;
    if (left > 0) liveStores.set(store, left);
    else liveStores.delete(store);
  };
}

/**
 * The package's OpenTelemetry events (meter `nestjs-mcp-session`; names in
 * `MCP_SESSION_METRICS`). Every function does nothing when
 * `@opentelemetry/api` is not installed, and records on the no-op meter
 * until the application registers a meter provider. No attribute is a
 * session id.
 */
export const sessionMetrics = {
  /** A session record was stored for an `initialize`. */
  created(): void {
    instruments()?.created.add(1);
  },
  /** A stored session was rebuilt in this process. */
  restored(): void {
    instruments()?.restored.add(1);
  },
  /** A session record was deleted (a client's DELETE, or a refused `initialize`). */
  deleted(): void {
    instruments()?.deleted.add(1);
  },
  /** The sweep removed `count` expired records. */
  expired(count: number): void {
    if (count > 0) instruments()?.expired.add(count);
  },
  /** A request was refused with HTTP `status`. */
  rejected(status: number): void {
    instruments()?.rejected.add(1, { 'http.response.status_code': status });
  },
  /**
   * A message was routed to or from another instance; `kind` is a small fixed
   * word (`request`, `response`, `notification`...), never an id.
   */
  routed(kind: string): void {
    instruments()?.routed.add(1, { 'mcp_session.message.kind': kind });
  },
  /** A start mark for {@link sessionMetrics.storeCall}: `performance.now()`, or -1 when metrics are off. */
  start(): number {
    return otelApi() === undefined ? -1 : performance.now();
  },
  /** A store call that began at `started` ({@link sessionMetrics.start}) has ended, with `error` when it failed. */
  storeCall(operation: StoreOperation, started: number, error?: unknown): void {
    if (started < 0) return;
    const attributes: Record<string, string> = { 'mcp_session.store.operation': operation };
    if (error !== undefined) {
      attributes['error.type'] = error instanceof SessionStoreError ? error.kind : 'other';
    }
    instruments()?.storeDuration.record((performance.now() - started) / 1000, attributes);
  },
};
