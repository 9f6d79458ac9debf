import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import {
  InvalidOptionError,
  SessionStoreError,
  type SessionInvalidationListener,
} from '../../../lib';
import { PostgresInvalidationChannel } from '../../../lib/stores/postgres/postgres-invalidation.channel';
import {
  PG_URL,
  startPostgresProxy,
  usePostgresSchema,
  type PostgresProxy,
} from '../../support/postgres-harness';
import { eventually } from '../../support/wait';

const schema = usePostgresSchema('channel');

/** A channel name no other test (or engineer) uses. */
const freshChannel = (label = 'inv') => `${label}_${process.pid}_${randomBytes(4).toString('hex')}`;

/** A listener that records what it is told. */
function recorder(): SessionInvalidationListener & { ids: string[]; resets: number } {
  const seen = {
    ids: [] as string[],
    resets: 0,
    invalidate: (id: string) => void seen.ids.push(id),
    reset: () => void seen.resets++,
  };
  return seen;
}

/**
 * Backend pids of the listening connections on `channel` whose last statement
 * is still their LISTEN (call it before a heartbeat, and before another
 * connection listens on the same channel).
 */
async function listeningPids(channel: string): Promise<number[]> {
  const { rows } = await schema.pool.query(
    `SELECT pid FROM pg_stat_activity WHERE application_name = 'mcp-session-invalidation' AND query = $1`,
    [`LISTEN "${channel.replace(/"/g, '""')}"`],
  );
  return rows.map((row) => row.pid as number);
}

/** True while backend `pid` is connected. */
async function alive(pid: number): Promise<boolean> {
  const { rows } = await schema.pool.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid]);
  return rows.length > 0;
}

describe('PostgresInvalidationChannel', () => {
  const opened: PostgresInvalidationChannel[] = [];
  const open = (pool: Pool, options = {}): PostgresInvalidationChannel => {
    const channel = new PostgresInvalidationChannel(pool, options);
    opened.push(channel);
    return channel;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((channel) => channel.onApplicationShutdown()));
  });

  it('tells every other instance, and local listeners except the sender, once each', async () => {
    const name = freshChannel('Mixed Case "quoted"');
    const [a, b] = [
      open(schema.newPool(), { channel: name }),
      open(schema.newPool(), { channel: name }),
    ];
    const [sender, localPeer, remote] = [recorder(), recorder(), recorder()];
    a.subscribe(sender);
    a.subscribe(localPeer);
    b.subscribe(remote);
    await eventually('both channels to listen', async () => a.connected && b.connected);
    expect([sender.resets, localPeer.resets, remote.resets]).toEqual([1, 1, 1]);

    await a.publish('session-1', sender);
    expect(localPeer.ids).toEqual(['session-1']);
    await eventually('the other instance to be told', async () => remote.ids.length === 1);
    await b.publish('session-2');
    await eventually(
      'the first instance to be told',
      async () => sender.ids.length === 1 && localPeer.ids.length === 2,
    );

    // A round trip on each side after the last publish: nothing else arrives.
    await a.publish('marker-a', sender);
    await eventually('the marker to arrive', async () => remote.ids.includes('marker-a'));
    expect(sender.ids).toEqual(['session-2']);
    expect(localPeer.ids).toEqual(['session-1', 'session-2', 'marker-a']);
    expect(remote.ids).toEqual(['session-1', 'session-2', 'marker-a']);
  });

  it('reconnects after the server ends its connection, and resets listeners before turning connected', async () => {
    const name = freshChannel();
    const channel = open(schema.newPool(), { channel: name, heartbeatInterval: 60_000 });
    const seen = recorder();
    const order: string[] = [];
    channel.subscribe({
      invalidate: (id) => seen.invalidate(id),
      reset: () => order.push(`reset while connected=${channel.connected}`),
    });
    await eventually('the channel to listen', async () => channel.connected);
    // Its backend, found before another connection listens on the same channel.
    const pids = await listeningPids(name);
    expect(pids).toHaveLength(1);
    const [pid] = pids;
    const other = open(schema.newPool(), { channel: name });
    await eventually('the other channel to listen', async () => other.connected);
    await schema.pool.query('SELECT pg_terminate_backend($1)', [pid]);
    await eventually('the channel to notice the lost connection', async () => !channel.connected);
    await eventually('the channel to listen', async () => channel.connected);
    expect(order).toEqual(['reset while connected=false', 'reset while connected=false']);
    expect((await listeningPids(name)).filter((p) => p === pid)).toEqual([]);
    await other.publish('after-reconnect');
    await eventually('a message after the reconnection', async () =>
      seen.ids.includes('after-reconnect'),
    );
  });

  describe('through a proxy that can cut or hang the connection', () => {
    let proxy: PostgresProxy;
    beforeEach(async () => {
      proxy = await startPostgresProxy();
    });
    afterEach(async () => {
      await proxy.stop();
    });

    it.each(['cut', 'hang'] as const)(
      'goes disconnected when the server is %s, then reconnects and resets',
      async (outage) => {
        const name = freshChannel();
        const pool = schema.newPool({ connectionString: proxy.url });
        const channel = open(pool, {
          channel: name,
          heartbeatInterval: 1_000,
          publishTimeout: 1_000,
        });
        const other = open(schema.newPool(), { channel: name });
        const seen = recorder();
        channel.subscribe(seen);
        await eventually(
          'both channels to listen',
          async () => channel.connected && other.connected,
        );
        expect(seen.resets).toBe(1);

        proxy[outage]();
        await eventually(
          'the channel to notice the lost connection',
          async () => !channel.connected,
        );
        const error = await channel.publish('lost').catch((e: unknown) => e);
        expect(error).toBeInstanceOf(SessionStoreError);
        expect((error as SessionStoreError).kind).toBe('backend');

        proxy.restore();
        await eventually('the channel to listen', async () => channel.connected);
        expect(seen.resets).toBeGreaterThanOrEqual(2);
        await other.publish('after-outage');
        await eventually('a message after the outage', async () =>
          seen.ids.includes('after-outage'),
        );
      },
    );
  });

  it('closes its listening connection on shutdown and leaves the given pool open', async () => {
    const name = freshChannel();
    const pool = schema.newPool();
    const channel = new PostgresInvalidationChannel(pool, {
      channel: name,
      heartbeatInterval: 60_000,
    });
    await eventually('the channel to listen', async () => channel.connected);
    const pids = await listeningPids(name);
    expect(pids).toHaveLength(1);
    await channel.onApplicationShutdown();
    await channel.onApplicationShutdown();
    expect(channel.connected).toBe(false);
    await eventually('the listening connection to close', async () => !(await alive(pids[0])));
    expect((await pool.query('SELECT 1 AS one')).rows[0].one).toBe(1);
  });

  it('fromUrl: owns its pool and its listening connection, and ends both on shutdown', async () => {
    const name = freshChannel();
    const channel = PostgresInvalidationChannel.fromUrl(PG_URL, {
      channel: name,
      heartbeatInterval: 60_000,
    });
    await eventually('the channel to listen', async () => channel.connected);
    const [pid] = await listeningPids(name);
    const other = open(schema.newPool(), { channel: name });
    const seen = recorder();
    other.subscribe(seen);
    await eventually('the other channel to listen', async () => other.connected);
    await channel.publish('from-owned');
    await eventually("the owned channel's message", async () => seen.ids.includes('from-owned'));
    await channel.onApplicationShutdown();
    await eventually('the listening connection to close', async () => !(await alive(pid)));
    expect(other.connected).toBe(true);
    expect((channel as unknown as { pool: { ended: boolean } }).pool.ended).toBe(true);
  });

  it('checks its options', () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ channel: '' }, /channel/],
      [{ channel: 'c'.repeat(64) }, /channel/],
      [{ publishTimeout: 0 }, /publishTimeout/],
      [{ heartbeatInterval: -1 }, /heartbeatInterval/],
    ];
    for (const [options, message] of bad) {
      expect(() => new PostgresInvalidationChannel(schema.pool, options)).toThrow(message);
      expect(() => new PostgresInvalidationChannel(schema.pool, options)).toThrow(
        InvalidOptionError,
      );
      expect(() => PostgresInvalidationChannel.fromUrl(PG_URL, options)).toThrow(message);
    }
    expect(() => new PostgresInvalidationChannel({} as Pool)).toThrow(/pg Pool/);
  });
});
