import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket, connect } from 'node:net';
import { Pool } from 'pg';

/**
 * The machine's PostgreSQL for tests (127.0.0.1:5432, trust auth, user
 * `postgres`, database `test`; `MCP_TEST_PG_URL` overrides it). Each spec file
 * works in a schema of its own, created before its tests and dropped after
 * them, so that spec files (and engineers) running at once never meet.
 */
export const PG_URL = process.env.MCP_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const TARGET = new URL(PG_URL);
const HINT =
  `PostgreSQL is not reachable at ${TARGET.host} (database ${TARGET.pathname.slice(1)}): ` +
  'start it (pg_ctlcluster <version> main start) or set MCP_TEST_PG_URL';

/** What {@link usePostgresSchema} hands a spec file. */
export interface PostgresSchema {
  /** The schema's name (valid once `beforeAll` has run). */
  readonly name: string;
  /** A pool on the test database for the whole file (ended in `afterAll`). */
  readonly pool: Pool;
  /** A table name no other test of the file uses: a fresh, empty store. */
  freshTable(label?: string): string;
  /** Opens another pool (ended in `afterAll`), e.g. one per store instance. */
  newPool(config?: ConstructorParameters<typeof Pool>[0]): Pool;
}

/** Creates a schema for the calling spec file (`beforeAll`) and drops it with everything in it (`afterAll`). */
export function usePostgresSchema(label: string): PostgresSchema {
  const name = `t_${label}_${process.pid}_${randomBytes(3).toString('hex')}`;
  const pools: Pool[] = [];
  let tables = 0;
  const newPool = (config: ConstructorParameters<typeof Pool>[0] = {}): Pool => {
    const pool = new Pool({ connectionString: PG_URL, max: 8, ...config });
    pool.on('error', () => undefined);
    pools.push(pool);
    return pool;
  };
  const admin = newPool();
  beforeAll(async () => {
    try {
      await admin.query(`CREATE SCHEMA "${name}"`);
    } catch (error) {
      throw new Error(`${HINT}: ${(error as Error).message}`);
    }
  });
  afterAll(async () => {
    await admin.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
    await Promise.all(pools.map((pool) => pool.end().catch(() => undefined)));
  });
  return {
    name,
    pool: admin,
    freshTable: (tableLabel = 'sessions') => `${tableLabel}_${++tables}`,
    newPool,
  };
}

/**
 * A TCP proxy in front of the test PostgreSQL, for outages that leave the
 * machine's server running: `cut()` drops every connection and refuses new
 * ones (a server that went away), `hang()` keeps connections open but holds
 * every byte back (a server that stopped answering), `restore()` ends either
 * (held bytes then flow).
 */
export interface PostgresProxy {
  readonly port: number;
  /** The test database's URL through the proxy. */
  readonly url: string;
  cut(): void;
  hang(): void;
  restore(): void;
  /** Connections currently open through the proxy. */
  readonly open: number;
  /** Local ports of the proxy's connections to the server (`client_port` in `pg_stat_activity`). */
  readonly upstreamPorts: number[];
  stop(): Promise<void>;
}

/** Starts a {@link PostgresProxy} on a free port of 127.0.0.1. */
export async function startPostgresProxy(): Promise<PostgresProxy> {
  let mode: 'pass' | 'cut' | 'hang' = 'pass';
  const pairs = new Set<[Socket, Socket]>();
  /** Writes held back while hanging, in order. */
  const held: (() => void)[] = [];
  const server: Server = createServer((client) => {
    if (mode === 'cut') {
      client.destroy();
      return;
    }
    const upstream = connect(Number(TARGET.port || 5432), TARGET.hostname);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const forward = (from: Socket, to: Socket) =>
      from.on('data', (chunk: Buffer) => {
        if (mode === 'hang') held.push(() => to.write(chunk));
        else to.write(chunk);
      });
    forward(client, upstream);
    forward(upstream, client);
    const close = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    for (const socket of pair) {
      socket.on('error', close);
      socket.on('close', close);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const url = new URL(PG_URL);
  url.host = `127.0.0.1:${port}`;
  const proxy: PostgresProxy = {
    port,
    url: url.toString(),
    get open() {
      return pairs.size;
    },
    get upstreamPorts() {
      return [...pairs].map(([, upstream]) => upstream.localPort ?? 0);
    },
    cut() {
      mode = 'cut';
      for (const [client, upstream] of pairs) {
        client.destroy();
        upstream.destroy();
      }
    },
    hang() {
      mode = 'hang';
    },
    restore() {
      mode = 'pass';
      for (const write of held.splice(0)) write();
    },
    async stop() {
      proxy.cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}
