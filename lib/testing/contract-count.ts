import assert from 'node:assert/strict';
import type { CaseRegistry, StoreWith } from './contract-cases';
import {
  attemptId,
  expiredRecord,
  present,
  sampleRecord,
  sleepPast,
  withLiveWindow,
} from './contract-fixtures';

/** `count`: live records only. */
export function countCases({ it }: CaseRegistry<StoreWith<'count'>>): void {
  it('counts live records only', async (store) => {
    assert.equal(await store.count(), 0);
    await store.create(sampleRecord('one'));
    await store.create(sampleRecord('two'));
    await store.save(expiredRecord('dead'));
    assert.equal(await store.count(), 2);
    await store.delete('one');
    assert.equal(await store.count(), 1);
  });
}

/** `cleanupExpired`: removes what expired, says how many, keeps the rest. */
export function cleanupCases({ it, timing }: CaseRegistry<StoreWith<'cleanupExpired'>>): void {
  it(
    'removes expired records, reports how many, and keeps live ones',
    async (store) => {
      await store.create(sampleRecord('live'));
      await withLiveWindow(timing.shortTtlMs, async (ttl, attempt) => {
        // Records that expire in real time, written while still alive: some
        // stores keep no trace of a record written already expired.
        const dying = ['dying', 'dying-too'].map((id) => sampleRecord(attemptId(id, attempt), ttl));
        const firstExpiry = dying[0].expiresAt.getTime();
        for (const record of dying) await store.create(record);
        if (Date.now() >= firstExpiry) {
          for (const record of dying) await store.delete(record.id);
          return 'stalled';
        }
        await sleepPast(Math.max(...dying.map((record) => record.expiresAt.getTime())));

        assert.equal(await store.cleanupExpired(), 2);
        if (typeof store.count === 'function') assert.equal(await store.count(), 1);
        present(await store.load('live'), 'load of the live record after cleanup');
        assert.equal(await store.cleanupExpired(), 0);
        return 'done';
      });
    },
    timing.waitingCaseTimeoutMs,
  );
}
