import { Logger } from '@nestjs/common';
import { SessionCleanupService, SessionStoreError } from '../../lib';
import { RECOVERY_QUIET_MS, storeOutage } from '../../lib/health/store-outage';
import { InstrumentedSessionStore } from '../support/instrumented-session.store';
import { connect, rawCall, Router } from '../support/mcp-client';
import { startRedisNode, type RedisNode } from '../support/redis-harness';
import { eventually } from '../support/wait';
import { bootSample, redisSampleOptions } from './health.apps';
import { LogCapture } from './log-capture';

const unreachable = SessionStoreError.backend(
  'touch of session 0123456789abcdef failed',
  new Error('connect ECONNREFUSED 127.0.0.1:6390'),
);

describe('the outage log of a session store (fake clock)', () => {
  let logs: LogCapture;

  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    logs = new LogCapture();
    Logger.overrideLogger(logs);
  });
  afterEach(() => {
    jest.useRealTimers();
    Logger.overrideLogger(false);
  });

  it('logs one ERROR when the store fails, one LOG when it answers again, nothing between', () => {
    const store = new InstrumentedSessionStore();
    const outage = storeOutage(store);
    expect(storeOutage(store)).toBe(outage);

    for (let i = 0; i < 55; i++) {
      expect(outage.refused(unreachable, '0123456789abcdef')).toBe(true);
      jest.advanceTimersByTime(100);
    }
    expect(outage.down).toBe(true);
    expect(logs.at('error')).toEqual([
      '[SessionStoreOutage] Session store unreachable: backend error: touch of session 01234567… failed: ' +
        'connect ECONNREFUSED 127.0.0.1:6390; MCP requests get 503 until it answers again',
    ]);

    // A call that started before the last failure (in flight) does not end it.
    outage.succeeded(Date.now() - 50);
    expect(outage.down).toBe(true);
    jest.advanceTimersByTime(RECOVERY_QUIET_MS - 100);
    outage.succeeded(Date.now());
    expect(logs.at('log')).toEqual([
      '[SessionStoreOutage] Session store reachable again after 6.4 s; 55 requests got 503 meanwhile',
    ]);
    expect(outage.down).toBe(false);
    expect(logs.lines).toHaveLength(2);

    // Later successes say nothing; a new outage is a new ERROR.
    outage.succeeded(Date.now());
    outage.failed(unreachable);
    jest.advanceTimersByTime(3 * 60_000);
    outage.refused(unreachable);
    outage.succeeded(Date.now());
    expect(outage.down).toBe(true);
    jest.advanceTimersByTime(RECOVERY_QUIET_MS);
    outage.succeeded(Date.now());
    expect(logs.at('error')).toHaveLength(2);
    expect(logs.at('log')[1]).toBe(
      '[SessionStoreOutage] Session store reachable again after 3 min 1 s; 1 request got 503 meanwhile',
    );
  });

  it('leaves errors that are not outages (one bad record) to the caller', () => {
    const outage = storeOutage(new InstrumentedSessionStore());
    expect(outage.refused(new SessionStoreError('decode', 'not a record'))).toBe(false);
    expect(outage.down).toBe(false);
    expect(logs.lines).toEqual([]);
  });

  it('keeps one log per store object', () => {
    const a = new InstrumentedSessionStore();
    storeOutage(a).failed(unreachable);
    expect(storeOutage(new InstrumentedSessionStore()).down).toBe(false);
    expect(storeOutage(a).down).toBe(true);
  });
});

describe('the expiry sweep logs', () => {
  let logs: LogCapture;
  beforeEach(() => {
    logs = new LogCapture();
  });

  it('at debug when it removed nothing, at LOG when it removed records, the outage once', async () => {
    const store = new InstrumentedSessionStore();
    const { app, url, close } = await bootSample({ store });
    app.useLogger(logs);
    const sweeps = (level: 'log' | 'debug') =>
      logs.at(level).filter((line) => line.startsWith('[SessionCleanupService]'));
    try {
      const sweeper = app.get(SessionCleanupService);
      expect(await sweeper.sweep()).toBe(0);
      expect(sweeps('log')).toEqual([]);
      expect(sweeps('debug')).toEqual(['[SessionCleanupService] Removed 0 expired session(s)']);

      const client = await connect(new Router(url));
      await store.expire(client.sessionId);
      expect(await sweeper.sweep()).toBe(1);
      expect(sweeps('log')).toEqual(['[SessionCleanupService] Removed 1 expired session(s)']);
      await client.close().catch(() => undefined);

      logs.clear();
      store.down(true);
      for (let i = 0; i < 3; i++) expect(await sweeper.sweep()).toBeUndefined();
      expect(logs.at('error')).toEqual([
        expect.stringMatching(
          /^\[SessionStoreOutage\] Session store unreachable: .*backend unreachable/,
        ),
      ]);
      expect(sweeps('debug')).toEqual(
        Array(3).fill(expect.stringContaining('Expired-session sweep failed: backend error')),
      );
    } finally {
      await close();
    }
  });
});

describe('an outage of a real Redis under MCP traffic (the sample with REDIS_URL)', () => {
  let redis: RedisNode;
  beforeAll(async () => {
    redis = await startRedisNode();
  });
  afterAll(async () => {
    await redis.stop();
  });

  it('logs one ERROR and one LOG with the downtime and the 503 count, not one line per request', async () => {
    const logs = new LogCapture();
    const { app, url, close } = await bootSample(redisSampleOptions(redis.url));
    app.useLogger(logs);
    const client = await connect(new Router(url));
    try {
      expect((await rawCall(url, client.sessionId)).status).toBe(200);
      await redis.stop();
      let refused = 0;
      for (let i = 0; i < 50; i++) {
        const { status } = await rawCall(url, client.sessionId);
        expect(status).toBe(503);
        refused++;
      }
      await redis.start();
      await eventually(
        'the outage to be logged as over',
        async () => {
          const { status } = await rawCall(url, client.sessionId);
          if (status === 503) refused++;
          return logs.at('log').some((line) => line.includes('reachable again'));
        },
        { timeoutMs: 15_000, everyMs: 100 },
      );

      expect(logs.at('error')).toEqual([
        expect.stringMatching(/^\[SessionStoreOutage\] Session store unreachable: /),
      ]);
      expect(logs.at('log').filter((line) => line.includes('SessionStoreOutage'))).toEqual([
        expect.stringMatching(
          new RegExp(
            `^\\[SessionStoreOutage\\] Session store reachable again after [\\d.]+ (ms|s); ${refused} requests got 503 meanwhile$`,
          ),
        ),
      ]);
      // Each connection says once that it lost Redis, whatever the traffic.
      const warnings = logs.at('warn');
      const byContext = new Map<string, number>();
      for (const line of logs.lines.filter((l) => l.level === 'warn')) {
        byContext.set(String(line.context), (byContext.get(String(line.context)) ?? 0) + 1);
      }
      expect({ warnings, most: Math.max(0, ...byContext.values()) }).toEqual({
        warnings,
        most: 1,
      });
      expect(logs.lines.filter((line) => line.message.includes(client.sessionId))).toEqual([]);
    } finally {
      await client.close().catch(() => undefined);
      await close();
    }
  });
});
