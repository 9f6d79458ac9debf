import type { RedisRecords } from './redis-records';
import { COUNT, runScript } from './redis-scripts';

/** Runs `call` on every index bucket (each in its own slot, so one command each) and sums. */
function sumBuckets(
  records: RedisRecords,
  op: string,
  call: (index: string, b: number) => Promise<number>,
): Promise<number> {
  return records.run(op, undefined, async () => {
    const { buckets } = records.keys;
    const counts = await Promise.all(
      Array.from({ length: buckets }, (_, b) => call(records.keys.index(b), b)),
    );
    return counts.reduce((sum, n) => sum + n, 0);
  });
}

/**
 * Live records, per bucket in one script (COUNT): the expiry index's live
 * entries (values of versions 1 and 2) and the live-count slots that have not
 * ended (version 3). O(log n + slots) per bucket, whatever the format.
 */
export function liveCount(records: RedisRecords): Promise<number> {
  const now = Date.now();
  return sumBuckets(records, 'count', async (index, b) =>
    Number(await runScript(records.client, COUNT, [index, records.keys.live(b)], [now])),
  );
}

/** Format 2: trims expired entries from every bucket; resolves to how many. */
export function trimIndex(records: RedisRecords): Promise<number> {
  const now = Date.now();
  return sumBuckets(records, 'cleanupExpired', (index) =>
    records.client.zremrangebyscore(index, '-inf', now),
  );
}
