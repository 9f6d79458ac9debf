import { SessionRecord, SessionStoreError } from '../../../lib';
import { PostgresSessionStore } from '../../../lib/stores/postgres/postgres-session.store';
import {
  startPostgresProxy,
  usePostgresSchema,
  type PostgresProxy,
} from '../../support/postgres-harness';
import { eventually } from '../../support/wait';
import { Logger } from '@nestjs/common';

const schema = usePostgresSchema('outage');
const record = (id: string) => new SessionRecord(id, '2025-11-25', 60_000);

/** Every store call, each expected to reject while PostgreSQL is unreachable. */
function everyCall(store: PostgresSessionStore): [string, () => Promise<unknown>][] {
  return [
    ['create', () => store.create(record('new-during-outage'))],
    ['save', () => store.save(record('saved-during-outage'))],
    ['load', () => store.load('kept-session-id')],
    ['delete', () => store.delete('kept-session-id')],
    ['touch', () => store.touch('kept-session-id', 60_000)],
    ['update', () => store.update('kept-session-id', () => undefined)],
    ['count', () => store.count()],
    ['cleanupExpired', () => store.cleanupExpired()],
  ];
}

async function expectAllBackendErrors(store: PostgresSessionStore): Promise<SessionStoreError[]> {
  const calls = everyCall(store);
  const results = await Promise.allSettled(calls.map(([, call]) => call()));
  return results.map((result, i) => {
    expect({ call: calls[i][0], status: result.status }).toEqual({
      call: calls[i][0],
      status: 'rejected',
    });
    const reason = (result as PromiseRejectedResult).reason as SessionStoreError;
    expect(reason).toBeInstanceOf(SessionStoreError);
    expect(reason.kind).toBe('backend');
    expect(reason.message).not.toContain('kept-session-id');
    return reason;
  });
}

type Variant = [string, (url: string, table: string) => PostgresSessionStore];

const variants: Variant[] = [
  [
    'a pool the user passed in',
    (url, table) =>
      new PostgresSessionStore(schema.newPool({ connectionString: url, max: 4 }), {
        schema: schema.name,
        table,
        statementTimeout: 2_000,
      }),
  ],
  [
    'a pool the store opened with fromUrl',
    (url, table) =>
      PostgresSessionStore.fromUrl(url, { schema: schema.name, table, statementTimeout: 2_000 }),
  ],
];

describe.each(variants)('PostgresSessionStore outages with %s', (_, open) => {
  let proxy: PostgresProxy;
  let store: PostgresSessionStore;

  beforeEach(async () => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    proxy = await startPostgresProxy();
    const table = schema.freshTable();
    await new PostgresSessionStore(schema.pool, { schema: schema.name, table }).migrate();
    store = open(proxy.url, table);
    await store.create(record('kept-session-id'));
  });

  afterEach(async () => {
    await store.onApplicationShutdown();
    await proxy.stop();
    jest.restoreAllMocks();
  });

  it('rejects every call with kind backend while the server is gone, then serves again', async () => {
    proxy.cut();
    await expectAllBackendErrors(store);

    proxy.restore();
    await eventually('the store to serve again', () => store.count().then(() => true), {
      timeoutMs: 20_000,
    });
    await store.create(record('after-restart'));
    expect((await store.touch('after-restart', 60_000))?.id).toBe('after-restart');
    expect((await store.load('kept-session-id'))?.id).toBe('kept-session-id');
    expect(await store.count()).toBe(2);
  });

  it('bounds every call to a server that does not answer, then serves again', async () => {
    await store.count(); // a pooled connection exists, and will hang mid-query
    proxy.hang();
    const errors = await expectAllBackendErrors(store);
    expect(errors.some((error) => /statementTimeout/.test(error.message))).toBe(true);

    proxy.restore();
    await eventually('the store to serve again', () => store.count().then(() => true), {
      timeoutMs: 20_000,
    });
    await store.save(record('after-hang'));
    expect((await store.load('after-hang'))?.id).toBe('after-hang');
  });

  it('serves again after the server ends every connection (pg_terminate_backend)', async () => {
    await Promise.all([store.count(), store.load('kept-session-id'), store.count()]);
    await schema.pool.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE pid <> pg_backend_pid() AND datname = current_database() AND client_port = ANY($1)`,
      [proxy.upstreamPorts],
    );
    await eventually('the store to serve again', () => store.count().then(() => true), {
      timeoutMs: 20_000,
    });
    expect((await store.touch('kept-session-id', 60_000))?.id).toBe('kept-session-id');
  });
});

describe('PostgresSessionStore never sends a call late', () => {
  it('drops a call that timed out waiting for a connection instead of running it afterwards', async () => {
    const proxy = await startPostgresProxy();
    const table = schema.freshTable();
    const admin = new PostgresSessionStore(schema.pool, { schema: schema.name, table });
    await admin.migrate();
    const pool = schema.newPool({ connectionString: proxy.url, max: 1 });
    const store = new PostgresSessionStore(pool, {
      schema: schema.name,
      table,
      statementTimeout: 2_000,
    });
    try {
      const kept = record('late');
      kept.data = { version: 1 };
      await store.create(kept);

      proxy.hang();
      // The only connection hangs in a touch; the save waits for it and times out.
      const touching = store.touch('late', 60_000).catch((e: unknown) => e);
      kept.data = { version: 2 };
      await expect(store.save(kept)).rejects.toMatchObject({ kind: 'backend' });
      await expect(touching).resolves.toBeInstanceOf(SessionStoreError);

      proxy.restore();
      // Calls queue for the pool in order: once this one has run, the save
      // would have run before it.
      await eventually('the store to serve again', () => store.count().then(() => true), {
        timeoutMs: 20_000,
      });
      expect((await admin.load('late'))?.data).toEqual({ version: 1 });
    } finally {
      await proxy.stop();
    }
  });
});
