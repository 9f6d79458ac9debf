import assert from 'node:assert/strict';
import type { SessionRecord } from '../contract/session-record';
import type { SessionStore } from '../contract/session-store';
import { SessionStoreError } from '../contract/session-store.error';
import type { CaseRegistry, StoreWith } from './contract-cases';
import {
  assertEqual,
  expiredRecord,
  LONG_TTL,
  present,
  richRecord,
  sampleRecord,
} from './contract-fixtures';

/** How many updaters race in the concurrency case. */
const UPDATERS = 50;

const countOf = (record: SessionRecord | undefined): number => Number(record?.data?.count ?? 0);

function increment(record: SessionRecord): void {
  record.data = { ...record.data, count: countOf(record) + 1 };
}

/** Asserts that `promise` rejects with a `SessionStoreError` of `kind`; returns it. */
export async function rejectsWithKind(
  promise: Promise<unknown>,
  kind: SessionStoreError['kind'],
  what: string,
): Promise<SessionStoreError> {
  const error = await promise.then(
    () => assert.fail(`${what}: resolved, expected kind ${kind}`),
    (reason: unknown) => reason,
  );
  assert.ok(error instanceof SessionStoreError, `${what}: rejected with ${String(error)}`);
  assert.equal(error.kind, kind, `${what}: ${error.message}`);
  return error;
}

/** `update`, revisions, and `save`'s conflict check. */
export function updateCases({ it }: CaseRegistry<StoreWith<'update'>>): void {
  it('applies a change to a copy and stores it at the next revision', async (store) => {
    const created = await store.create(richRecord('updated'));
    assert.equal(created.revision, 1, 'revision after create');

    const updated = present(
      await store.update('updated', (record) => {
        increment(record);
        record.owner = 'user-43';
      }),
      'update of a live record',
    );
    assert.equal(updated.revision, 2);
    assert.equal(updated.data?.count, 1);
    assert.equal(updated.data?.counter, 3, 'other data kept');

    present(updated.data, 'data').count = -1;
    const loaded = present(await store.load('updated'), 'load after update');
    assert.equal(loaded.revision, 2);
    assert.equal(loaded.owner, 'user-43');
    assertEqual(loaded.data, { ...richRecord('updated').data, count: 1 });
  });

  it(`ends ${UPDATERS} concurrent increments at exactly ${UPDATERS}, none lost`, async (store) => {
    await store.create(sampleRecord('contended'));
    const results = await Promise.all(
      Array.from({ length: UPDATERS }, () => store.update('contended', increment)),
    );
    const seen = results
      .map((record) => countOf(present(record, 'an update')))
      .sort((a, b) => a - b);
    assert.deepEqual(
      seen,
      Array.from({ length: UPDATERS }, (_, i) => i + 1),
      'counts seen',
    );

    const loaded = present(await store.load('contended'), 'load after the updates');
    assert.equal(countOf(loaded), UPDATERS);
    assert.equal(loaded.revision, UPDATERS + 1);
  });

  it('resolves undefined for unknown, deleted and expired ids, and creates nothing', async (store) => {
    await store.create(sampleRecord('deleted'));
    await store.delete('deleted');
    await store.save(expiredRecord('expired'));
    for (const id of ['never-created', 'deleted', 'expired']) {
      let called = false;
      const result = await store.update(id, (record) => {
        called = true;
        increment(record);
      });
      assert.equal(result, undefined, `update of ${id}`);
      assert.equal(called, false, `the change was called for ${id}`);
      assert.equal(await store.load(id), undefined, `load of ${id} after the update`);
    }
  });

  it('never revives a record deleted while the change runs', async (store) => {
    await store.create(sampleRecord('vanishing'));
    let deletion: Promise<void> | undefined;
    await store.update('vanishing', (record) => {
      deletion ??= store.delete('vanishing');
      increment(record);
    });
    await deletion;
    assert.equal(await store.load('vanishing'), undefined, 'the update revived it');
  });

  it('rejects with the error of a change that throws, and leaves the record untouched', async (store) => {
    await store.create(richRecord('refused'));
    const error = new Error('change refused');
    await assert.rejects(
      store.update('refused', (record) => {
        increment(record);
        throw error;
      }),
      (reason) => reason === error,
    );
    const loaded = present(await store.load('refused'), 'load after the failed update');
    assert.equal(loaded.revision, 1);
    assertEqual(loaded.data, richRecord('refused').data);
  });

  it('rejects a stale save with kind conflict and writes nothing', async (store) => {
    await store.create(sampleRecord('stale'));
    const [first, second] = [await store.load('stale'), await store.load('stale')].map((r) =>
      present(r, 'load'),
    );
    first.data = { by: 'first' };
    await store.save(first);
    assert.equal(first.revision, 2, 'revision of the saved copy');

    second.data = { by: 'second' };
    await rejectsWithKind(store.save(second), 'conflict', 'save of a stale copy');
    await rejectsWithKind(store.save(sampleRecord('stale')), 'conflict', 'save of a new record');
    const loaded = present(await store.load('stale'), 'load after the conflicts');
    assertEqual(loaded.data, { by: 'first' });
    assert.equal(loaded.revision, 2);

    loaded.data = { by: 'reloaded' };
    await store.save(loaded);
    assertEqual((await store.load('stale'))?.data, { by: 'reloaded' });
  });

  it('keeps the revision on touch: a touch between a load and its save is no conflict', async (store) => {
    if (typeof store.touch !== 'function') return;
    await store.create(sampleRecord('touched-between'));
    const loaded = present(await store.load('touched-between'), 'load');
    const touched = present(await store.touch('touched-between', LONG_TTL), 'touch');
    assert.equal(touched.revision, 1);
    loaded.data = { saved: true };
    await store.save(loaded);
    assert.equal((await store.load('touched-between'))?.revision, 2);
  });
}

/** The store's `update`, when the case is about another method and the store has one. */
export const updateOf = (store: SessionStore): StoreWith<'update'>['update'] | undefined =>
  typeof store.update === 'function' ? store.update.bind(store) : undefined;
