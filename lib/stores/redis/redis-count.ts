import type { RedisClient, RedisScanNode } from './redis-client';
import type { RedisRecords } from './redis-records';

/** Keys per SCAN call: bounds what one call holds in memory and how long Redis is busy with it. */
const SCAN_BATCH = 1000;

/** A Redis glob matching `text` literally. */
const literal = (text: string): string => text.replace(/[*?[\]\\]/g, '\\$&');

/** The nodes that hold keys: a cluster's masters, or the single node. */
function nodesOf(client: RedisClient): RedisScanNode[] {
  if (client.isCluster && typeof client.nodes === 'function') return client.nodes('master');
  return [client as RedisScanNode];
}

/**
 * Live records of a store that keeps no index (format 3): its record keys,
 * found by SCAN on every master (`<prefix>{*`, {@link SCAN_BATCH} per call,
 * each call bounded by `commandTimeout`). Redis does not list expired keys.
 * Expiry-index buckets met on the way (written for values of versions 1
 * and 2) lose their expired entries, as `cleanupExpired` would trim them.
 * O(keys in the database) in all: for a gauge, not for each request.
 */
export async function scanCount(records: RedisRecords): Promise<number> {
  const prefix = records.options.keyPrefix;
  const pattern = `${literal(prefix)}{*`;
  const record = /^\{\d+\}:/;
  const index = /^\{\d+\}#expiry$/;
  let count = 0;
  for (const node of nodesOf(records.client)) {
    let cursor = '0';
    do {
      const at = cursor;
      const [next, keys] = await records.run('count', undefined, () =>
        node.scan(at, 'MATCH', pattern, 'COUNT', SCAN_BATCH),
      );
      const now = Date.now();
      const trims: Promise<number>[] = [];
      for (const key of keys) {
        const rest = key.slice(prefix.length);
        if (record.test(rest)) count++;
        else if (index.test(rest)) trims.push(records.client.zremrangebyscore(key, '-inf', now));
      }
      if (trims.length > 0) await records.run('count', undefined, () => Promise.all(trims));
      cursor = String(next);
    } while (cursor !== '0');
  }
  return count;
}

/** Runs `call` on every index bucket (each in its own slot, so one command each) and sums. */
function sumBuckets(
  records: RedisRecords,
  op: string,
  call: (index: string) => Promise<number>,
): Promise<number> {
  return records.run(op, undefined, async () => {
    const { buckets } = records.keys;
    const counts = await Promise.all(
      Array.from({ length: buckets }, (_, b) => call(records.keys.index(b))),
    );
    return counts.reduce((sum, n) => sum + n, 0);
  });
}

/** Format 2: live records from the expiry index, one ZCOUNT per bucket, O(log n) each. */
export function indexCount(records: RedisRecords): Promise<number> {
  const now = Date.now();
  return sumBuckets(records, 'count', (index) => records.client.zcount(index, `(${now}`, '+inf'));
}

/** Format 2: trims expired entries from every bucket; resolves to how many. */
export function trimIndex(records: RedisRecords): Promise<number> {
  const now = Date.now();
  return sumBuckets(records, 'cleanupExpired', (index) =>
    records.client.zremrangebyscore(index, '-inf', now),
  );
}
