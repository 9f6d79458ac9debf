import assert from 'node:assert/strict';
import { SessionRecord } from '../contract/session-record';
import type { CaseRegistry, StoreWith } from './contract-cases';
import {
  assertEqual,
  attemptId,
  expiredRecord,
  LONG_TTL,
  present,
  richRecord,
  sampleRecord,
  sleepPast,
  withLiveWindow,
} from './contract-fixtures';

/** How long past a record's first expiry a touched record must still be there. */
const PAST_FIRST_EXPIRY_MS = 250;

/** `touch`: extends live records only, and never revives one. */
export function touchCases({ it, timing }: CaseRegistry<StoreWith<'touch'>>): void {
  it('extends a live record and persists the new expiry', async (store) => {
    const record = richRecord('touched');
    // Times in the past, so the touch must move each of them forward.
    record.createdAt = new Date(Date.now() - 60_000);
    record.lastAccessed = new Date(Date.now() - 60_000);
    record.expiresAt = new Date(Date.now() + LONG_TTL / 2);
    await store.save(record);

    const before = Date.now();
    const touched = await store.touch('touched', LONG_TTL);
    assert.ok(touched instanceof SessionRecord, 'touch did not return a SessionRecord');
    assert.ok(
      touched.expiresAt.getTime() >= before + LONG_TTL,
      `expiresAt ${touched.expiresAt.toISOString()} is not ttl past the touch`,
    );
    assert.ok(touched.lastAccessed.getTime() > record.lastAccessed.getTime(), 'lastAccessed kept');
    assert.equal(touched.createdAt.getTime(), record.createdAt.getTime());
    assertEqual(touched.data, record.data);
    assert.equal(touched.owner, 'user-42');

    const loaded = present(await store.load('touched'), 'load after touch');
    assert.equal(loaded.expiresAt.getTime(), touched.expiresAt.getTime());
    assert.equal(loaded.lastAccessed.getTime(), touched.lastAccessed.getTime());
  });

  it(
    'keeps a touched record alive past its original expiry',
    (store) =>
      withLiveWindow(timing.shortTtlMs, async (ttl, attempt) => {
        const id = attemptId('kept', attempt);
        const record = sampleRecord(id, ttl);
        const firstExpiry = record.expiresAt.getTime();
        await store.create(record);
        const touched = await store.touch(id, LONG_TTL);
        if (touched === undefined && Date.now() >= firstExpiry) {
          await store.delete(id);
          return 'stalled';
        }
        present(touched, 'touch of a live record');

        await sleepPast(firstExpiry + PAST_FIRST_EXPIRY_MS);
        present(await store.load(id), 'load of a touched record past its first expiry');
        return 'done';
      }),
    timing.waitingCaseTimeoutMs,
  );

  it('returns undefined for an unknown id and creates nothing', async (store) => {
    assert.equal(await store.touch('ghost', LONG_TTL), undefined);
    assert.equal(await store.load('ghost'), undefined);
  });

  it('never revives a deleted record', async (store) => {
    await store.create(sampleRecord('deleted'));
    await store.delete('deleted');
    assert.equal(await store.touch('deleted', LONG_TTL), undefined, 'touch revived it');
    assert.equal(await store.load('deleted'), undefined, 'load found it after the touch');
  });

  it('never revives an expired record', async (store) => {
    await store.save(expiredRecord('stale'));
    assert.equal(await store.touch('stale', LONG_TTL), undefined, 'touch revived it');
    assert.equal(await store.load('stale'), undefined, 'load found it after the touch');
  });

  it('returns a copy', async (store) => {
    await store.create(richRecord('touch-copy'));
    const touched = present(await store.touch('touch-copy', LONG_TTL), 'touch of a live record');
    present(touched.data, 'data').counter = -1;
    assert.equal((await store.load('touch-copy'))?.data?.counter, 3);
  });
}
