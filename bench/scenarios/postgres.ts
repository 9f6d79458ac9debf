import { createHistogram } from 'node:perf_hooks';
import type { SessionStore } from '../../lib/contract/session-store';
import { CachingSessionStore } from '../../lib/stores/caching/caching-session.store';
import { MemorySessionStore } from '../../lib/stores/memory/memory-session.store';
import { PostgresInvalidationChannel } from '../../lib/stores/postgres/postgres-invalidation.channel';
import { RedisSessionStore } from '../../lib/stores/redis/redis-session.store';
import { fmtCount, type BenchContext, type Scenario } from '../support/context';
import {
  compare,
  median,
  pairedRatio,
  type Variant,
  type VariantSummary,
} from '../support/measure';
import { progress } from '../support/progress';
import { sessionId, typicalRecord } from '../support/records';
import { BENCH_REDIS_OPTIONS, benchRedis, client, stopRedis } from '../support/redis';
import { notMeasured, ratioAtLeast, row, type Row, type ScenarioResult } from '../support/report';
import {
  benchPostgres,
  populateRows,
  timedPool,
  typicalRecordText,
  type BenchPostgres,
} from './postgres-setup';

const IN_FLIGHT = 64;
const SESSIONS = 1000;
const POOL_SIZE = 16;
const TTL_MS = 30 * 60_000;
/** Requests in flight while the sweep runs (and in the idle run it is compared with). */
const SWEEP_TRAFFIC = 16;

/** A throughput row: subject against baseline, ratio from paired rounds. */
function vs(
  subject: VariantSummary,
  baseline: VariantSummary,
  extra: Partial<Parameters<typeof row>[0]> = {},
): Row {
  return row({
    subject: subject.name,
    unit: 'ops/s',
    value: subject.perSec,
    p50Ms: subject.p50Ms,
    p99Ms: subject.p99Ms,
    baselineName: baseline.name,
    baseline: baseline.perSec,
    ratio: pairedRatio(subject, baseline),
    ...extra,
  });
}

function touchVariant(name: string, store: SessionStore, ids: string[]): Variant {
  return {
    name,
    op: async (i) => {
      const record = await store.touch!(ids[i % ids.length], TTL_MS);
      if (!record) throw new Error('bench: a live session was not found');
      return record;
    },
  };
}

/** touch and load against a bare primary-key SELECT on the same pool, and RedisSessionStore.touch. */
async function perRequestRows(ctx: BenchContext, pg: BenchPostgres): Promise<Row[]> {
  const pool = pg.pool({ max: POOL_SIZE });
  const store = await pg.store(pool);
  // The same pool; its writes commit without waiting for their WAL flush.
  const asyncStore = await pg.store(pool, { synchronousCommit: false });
  const ids: string[] = [];
  const asyncIds: string[] = [];
  for (let i = 0; i < SESSIONS; i++) {
    ids.push((await store.create(typicalRecord(TTL_MS))).id);
    asyncIds.push((await asyncStore.create(typicalRecord(TTL_MS))).id);
  }
  const table = pg.tableOf(store);
  // The sample's multi-instance deployment: a local tier kept coherent over LISTEN/NOTIFY.
  const channel = new PostgresInvalidationChannel(pool);
  const caching = new CachingSessionStore(new MemorySessionStore(), store, { channel });
  while (!channel.connected) await new Promise((resolve) => setTimeout(resolve, 10));
  for (const id of ids) await caching.load(id);
  const select: Variant = {
    name: 'bare primary-key SELECT + JSON.parse (pool.query)',
    op: async (i) => {
      const { rows } = await pool.query(`SELECT record FROM ${table} WHERE id = $1`, [
        ids[i % SESSIONS],
      ]);
      return JSON.parse(rows[0].record);
    },
  };
  const prepared: Variant = {
    name: 'primary-key SELECT + JSON.parse, a named prepared statement',
    op: async (i) => {
      const text = `SELECT record FROM ${table} WHERE id = $1`;
      const values = [ids[i % SESSIONS]];
      const { rows } = await pool.query({ name: 'bench_select', text, values });
      return JSON.parse(rows[0].record);
    },
  };
  const variants = [
    select,
    prepared,
    touchVariant('PostgresSessionStore.touch', store, ids),
    touchVariant('PostgresSessionStore.touch, synchronousCommit: false', asyncStore, asyncIds),
    touchVariant('CachingSessionStore(memory, Postgres).touch, sessions cached here', caching, ids),
    {
      name: 'PostgresSessionStore.load',
      op: async (i: number) => {
        if (!(await store.load(ids[i % SESSIONS])))
          throw new Error('bench: a live session was not found');
      },
    },
  ];
  const node = await benchRedis();
  const redisClient = client(node);
  try {
    const redis = new RedisSessionStore(redisClient, BENCH_REDIS_OPTIONS);
    const redisIds: string[] = [];
    for (let i = 0; i < SESSIONS; i++)
      redisIds.push((await redis.create(typicalRecord(TTL_MS))).id);
    variants.push(
      touchVariant('RedisSessionStore.touch (one ioredis connection)', redis, redisIds),
    );
    const results = await compare(variants, {
      label: 'pg',
      rounds: ctx.rounds,
      roundMs: ctx.roundMs,
      inFlight: IN_FLIGHT,
      warmupMs: ctx.warmupMs,
    });
    const [bare, preparedSelect, touch, asyncTouch, cached, load, redisTouch] = results;
    const rows = [
      vs(touch, bare, {
        target: ratioAtLeast(0.8),
        note: `${IN_FLIGHT} touches in flight, more than the pool has connections: they share UPDATEs, one commit each`,
      }),
      vs(touch, preparedSelect, { note: 'orientation: the store prepares its statements too' }),
      vs(asyncTouch, bare, { note: 'orientation: commits do not wait for the WAL flush' }),
      vs(cached, bare, { note: 'orientation: the backend sees one touch per touchInterval' }),
      vs(load, bare, { note: 'orientation' }),
      await invalidationLatency(pg),
    ];
    rows.push(
      vs(touch, redisTouch, {
        subject: 'PostgresSessionStore.touch against Redis',
        note: 'orientation',
      }),
    );
    return rows;
  } finally {
    await caching.onApplicationShutdown();
    redisClient.disconnect();
    await stopRedis(node);
  }
}

/** How long a publish takes to reach another instance's listener (NOTIFY through the server). */
async function invalidationLatency(pg: BenchPostgres): Promise<Row> {
  const name = `bench_${process.pid}`;
  const sender = new PostgresInvalidationChannel(pg.pool({ max: 2 }), { channel: name });
  const receiver = new PostgresInvalidationChannel(pg.pool({ max: 2 }), { channel: name });
  const latencies: number[] = [];
  try {
    let arrived: (() => void) | undefined;
    receiver.subscribe({ invalidate: () => arrived?.(), reset: () => undefined });
    while (!sender.connected || !receiver.connected) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    for (let i = 0; i < 200; i++) {
      const seen = new Promise<void>((resolve) => (arrived = resolve));
      const t0 = performance.now();
      await sender.publish(`session-${i}`);
      await seen;
      latencies.push(performance.now() - t0);
    }
  } finally {
    await sender.onApplicationShutdown();
    await receiver.onApplicationShutdown();
  }
  latencies.sort((a, b) => a - b);
  return row({
    subject: 'PostgresInvalidationChannel: publish until the other instance is told',
    unit: 'ms',
    value: median(latencies),
    p50Ms: median(latencies),
    p99Ms: latencies[Math.floor(latencies.length * 0.99)],
    baselineName: '',
    baseline: null,
    note: `orientation, ${latencies.length} publishes one after another; max ${latencies.at(-1)!.toFixed(1)} ms`,
  });
}

/** Touches live sessions (`inFlight` at a time) until `until` settles; latency of every call. */
async function trafficUntil(store: SessionStore, count: number, until: Promise<unknown>) {
  const histogram = createHistogram();
  let done = false;
  let failures = 0;
  void until.finally(() => (done = true));
  const worker = async (w: number): Promise<void> => {
    for (let i = w; !done; i += SWEEP_TRAFFIC) {
      const n = (i * 7919) % count;
      if (n % 10 === 9) continue; // expired: the sweep's rows
      const t0 = process.hrtime.bigint();
      if (!(await store.touch!(sessionId(n), 2 * 3_600_000).catch(() => undefined))) failures++;
      histogram.record(Math.max(1, Number(process.hrtime.bigint() - t0)));
    }
  };
  await Promise.all(Array.from({ length: SWEEP_TRAFFIC }, (_, w) => worker(w)));
  return {
    p50Ms: histogram.percentile(50) / 1e6,
    p99Ms: histogram.percentile(99) / 1e6,
    ops: histogram.count,
    failures,
  };
}

/** cleanup of `scale / 10` expired rows among `scale` while requests run, count, bytes per session. */
async function sweepRows(ctx: BenchContext, pg: BenchPostgres): Promise<Row[]> {
  const n = ctx.scale;
  const expired = n / 10;
  const admin = pg.pool({ max: 2 });
  const timed = timedPool(pg.pool({ max: 2 }));
  const sweeper = await pg.store(timed.pool, { statementTimeout: 60_000 });
  const table = pg.tableOf(sweeper);
  const traffic = await pg.store(pg.pool({ max: SWEEP_TRAFFIC }), {
    statementTimeout: 60_000,
    sharing: sweeper,
  });
  const recordText = await typicalRecordText(pg, admin);
  progress(`postgres: writing ${fmtCount(n)} rows, ${fmtCount(expired)} of them expired`);
  await populateRows(admin, table, n, recordText);

  const { rows: size } = await admin.query(
    `SELECT pg_total_relation_size($1) AS total, pg_relation_size($1) AS heap, pg_indexes_size($1) AS indexes`,
    [table],
  );
  const perRow = (bytes: string) => Number(bytes) / n;

  const counts: number[] = [];
  const pings: number[] = [];
  let counted = 0;
  for (let i = 0; i < 7; i++) {
    let t0 = performance.now();
    counted = await sweeper.count();
    counts.push(performance.now() - t0);
    t0 = performance.now();
    await admin.query('SELECT 1');
    pings.push(performance.now() - t0);
  }

  const idle = await trafficUntil(traffic, n, new Promise((resolve) => setTimeout(resolve, 3000)));
  progress(
    `postgres: cleanupExpired of ${fmtCount(expired)} expired rows among ${fmtCount(n)}, with traffic`,
  );
  timed.durations.length = 0;
  const t0 = performance.now();
  const sweep = sweeper.cleanupExpired();
  const during = await trafficUntil(traffic, n, sweep);
  const removed = await sweep;
  const sweepMs = performance.now() - t0;
  const batches = timed.durations.length;
  const longest = Math.max(...timed.durations);

  // The floor: as many expired rows deleted by one statement (one transaction, every lock held to the end).
  await populateRows(admin, table, expired, recordText, { from: n, allExpired: true });
  const t1 = performance.now();
  const single = await admin.query(`DELETE FROM ${table} WHERE expires_at <= now()`);
  const singleMs = performance.now() - t1;

  return [
    row({
      subject: `PostgresSessionStore.cleanupExpired, ${fmtCount(expired)} expired of ${fmtCount(n)}`,
      unit: 'ms',
      value: sweepMs,
      baselineName: `one DELETE of ${fmtCount(single.rowCount ?? 0)} rows`,
      baseline: singleMs,
      note: `removed ${removed} in ${batches} statements of at most 1000 rows, each followed by a pause as long; longest statement ${longest.toFixed(1)} ms`,
    }),
    row({
      subject: `touch p99 during the sweep (${SWEEP_TRAFFIC} in flight)`,
      unit: 'ms',
      value: during.p99Ms,
      p50Ms: during.p50Ms,
      p99Ms: during.p99Ms,
      baselineName: 'p99 without a sweep',
      baseline: idle.p99Ms,
      note: `${during.ops} touches during the sweep, ${during.failures + idle.failures} failed; p50 ${idle.p50Ms.toFixed(2)} ms idle`,
    }),
    row({
      subject: `PostgresSessionStore.count, ${fmtCount(n - expired)} live`,
      unit: 'ms',
      value: median(counts),
      baselineName: 'SELECT 1 round trip',
      baseline: median(pings),
      note: `returned ${counted}, expected ${n - expired}`,
    }),
    row({
      subject: 'bytes per session (pg_total_relation_size / rows)',
      unit: 'bytes',
      value: perRow(size[0].total),
      baselineName: 'of which the heap',
      baseline: perRow(size[0].heap),
      note: `indexes ${Math.round(perRow(size[0].indexes))} B; typical record, ${Buffer.byteLength(recordText)} B of JSON`,
    }),
  ];
}

/** Scenario 8: the PostgreSQL store (issue 15). */
export const postgresStore: Scenario = {
  id: '8',
  title: 'PostgreSQL store',
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const setup =
      `${IN_FLIGHT} requests in flight over ${SESSIONS} live sessions, pg pools of ${POOL_SIZE}, the machine's PostgreSQL ` +
      `(synchronous_commit on; the store's synchronousCommit option turns it off for its own writes); sweep: ${fmtCount(ctx.scale)} rows, 10% expired` +
      (ctx.quick ? ' (quick mode: 100k stands in for 1M)' : '');
    const pg = await benchPostgres();
    if (typeof pg === 'string') {
      return {
        id: this.id,
        title: this.title,
        setup,
        rows: [notMeasured('PostgresSessionStore.touch', pg, ratioAtLeast(0.8))],
      };
    }
    try {
      const { rows: version } = await pg.pool({ max: 1 }).query('SHOW server_version');
      const rows = [...(await perRequestRows(ctx, pg)), ...(await sweepRows(ctx, pg))];
      return {
        id: this.id,
        title: this.title,
        setup: `${setup}; PostgreSQL ${version[0].server_version}`,
        rows,
      };
    } finally {
      await pg.drop();
    }
  },
};
