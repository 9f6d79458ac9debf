/*
 * Checked by `tsc --noEmit -p .` only (no spec: ts-jest would spend about
 * 30 s on it for every spec file importing it). Every Redis piece accepts
 * each client kind with the library's own types, no cast and no flag:
 * ioredis 5 and 6 (`Redis`, `Cluster`), node-redis 5 and 6 (`createClient`,
 * `createCluster`).
 */
import Redis, { Cluster } from 'ioredis';
import Redis6, { Cluster as Cluster6 } from 'ioredis6';
import { createClient, createCluster } from 'redis';
import { createClient as createClient6, createCluster as createCluster6 } from 'redis6';
import {
  RedisEventStore,
  RedisInvalidationChannel,
  RedisServerEventBus,
  RedisSessionMessageBus,
  RedisSessionStore,
} from '../../../lib';

/** Never called: its body is the check. */
export function everyPieceTakesEveryClient(): void {
  const rootNodes = [{ url: 'redis://127.0.0.1:7000' }];
  const clients = [
    new Redis(),
    new Cluster([]),
    new Redis6(),
    new Cluster6([]),
    createClient(),
    createCluster({ rootNodes }),
    createClient6(),
    createCluster6({ rootNodes }),
  ] as const;
  for (const client of clients) {
    new RedisSessionStore(client);
    new RedisInvalidationChannel(client);
    new RedisServerEventBus(client);
    new RedisSessionMessageBus(client);
    new RedisEventStore(client);
  }
}
