import assert from 'node:assert/strict';
import { SessionRecord } from '../contract/session-record';
import type { CaseRegistry } from './contract-cases';
import {
  assertEqual,
  attemptId,
  eventually,
  expiredRecord,
  present,
  sampleRecord,
  sleepPast,
  VERSION,
  withLiveWindow,
} from './contract-fixtures';

/** create, save, load, delete and expiry: what every store must do. */
export function coreCases({ describe, it, timing }: CaseRegistry): void {
  describe('create, load, delete', () => {
    it('stores a record that load then returns, and delete removes it', async (store) => {
      const created = await store.create(sampleRecord('abc'));
      assert.equal(created.id, 'abc');

      const loaded = await store.load('abc');
      assert.ok(loaded instanceof SessionRecord, 'load did not return a SessionRecord');
      assert.equal(loaded.id, 'abc');
      assert.equal(loaded.protocolVersion, VERSION);

      await store.delete('abc');
      assert.equal(await store.load('abc'), undefined);
    });

    it('returns undefined for an id it never saw', async (store) => {
      assert.equal(await store.load('never-created'), undefined);
    });

    it('resolves create to the very record it was given', async (store) => {
      const record = sampleRecord('same-object');
      assert.equal(await store.create(record), record);
    });

    it('gives a colliding create a fresh id, updates the caller record, and keeps both', async (store) => {
      const first = sampleRecord('dup');
      await store.create(first);
      const second = sampleRecord('dup');
      second.data = { which: 'second' };
      const stored = await store.create(second);

      assert.equal(stored, second);
      assert.notEqual(second.id, 'dup');
      assert.ok(second.id.length > 0, 'the fresh id is empty');
      assert.equal((await store.load('dup'))?.data, undefined);
      assertEqual((await store.load(second.id))?.data, { which: 'second' });
    });

    it('deletes idempotently', async (store) => {
      assert.equal(await store.delete('nonexistent'), undefined);
      await store.create(sampleRecord('twice'));
      await store.delete('twice');
      assert.equal(await store.delete('twice'), undefined);
    });
  });

  describe('save', () => {
    it('upserts: a later save replaces the record', async (store) => {
      const record = sampleRecord('upsert');
      await store.create(record);
      record.protocolVersion = '2025-06-18';
      record.data = { step: 2 };
      await store.save(record);

      const loaded = await store.load('upsert');
      assert.equal(loaded?.protocolVersion, '2025-06-18');
      assertEqual(loaded?.data, { step: 2 });
    });

    it('inserts a record it has never seen', async (store) => {
      await store.save(sampleRecord('saved-first'));
      assert.equal((await store.load('saved-first'))?.id, 'saved-first');
    });

    it('keeps a record saved with an expiry in the past invisible', async (store) => {
      await store.save(expiredRecord('born-dead'));
      assert.equal(await store.load('born-dead'), undefined);
    });
  });

  describe('expiry', () => {
    it(
      'hides a record once its ttl has passed',
      (store) =>
        withLiveWindow(timing.shortTtlMs, async (ttl, attempt) => {
          const id = attemptId('short', attempt);
          const record = sampleRecord(id, ttl);
          const expiresAt = record.expiresAt.getTime();
          await store.create(record);
          const seen = await store.load(id);
          if (seen === undefined && Date.now() >= expiresAt) {
            await store.delete(id);
            return 'stalled';
          }
          present(seen, 'load of a record before its ttl passed');

          await sleepPast(expiresAt);
          await eventually(
            async () => (await store.load(id)) === undefined,
            timing.expiryTimeoutMs,
            'load still returns a record past its ttl',
          );
          return 'done';
        }),
      timing.waitingCaseTimeoutMs,
    );

    it('lets create take over the id of an expired record', async (store) => {
      await store.save(expiredRecord('reused'));
      const fresh = sampleRecord('reused');
      await store.create(fresh);
      assert.equal(fresh.id, 'reused');
      present(await store.load('reused'), 'load of the new record');
    });
  });
}
