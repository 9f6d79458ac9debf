import assert from 'node:assert/strict';
import type { SessionRecord } from '../contract/session-record';
import { SessionStoreError } from '../contract/session-store.error';
import type { CaseRegistry } from './contract-cases';
import { assertEqual, present, sampleRecord } from './contract-fixtures';
import { rejectsWithKind, updateOf } from './contract-update';

/** Data nested `levels` deep: `[[[...]]]`, two bytes a level. */
function nested(levels: number): unknown[] {
  let value: unknown[] = [];
  for (let i = 0; i < levels; i++) value = [value];
  return value;
}

/** A record whose data holds `bytes` characters of text. */
function heavy(id: string, bytes: number): SessionRecord {
  const record = sampleRecord(id);
  record.data = { blob: 'x'.repeat(bytes) };
  return record;
}

/** What a store cannot store: records larger than its limit, or that JSON cannot hold. */
export function encodeCases({ it }: CaseRegistry, maxRecordBytes: number): void {
  if (maxRecordBytes !== Infinity) sizeCase(it, maxRecordBytes);
  otherCases(it);
}

function sizeCase(it: CaseRegistry['it'], maxRecordBytes: number): void {
  it('refuses a record larger than maxRecordBytes with kind encode, writing nothing', async (store) => {
    const tooLarge = maxRecordBytes + 1024;
    const error = await rejectsWithKind(
      store.create(heavy('too-large', tooLarge)),
      'encode',
      'create of a large record',
    );
    assert.match(error.message, new RegExp(`${maxRecordBytes}`), 'the message names the limit');
    assert.equal(await store.load('too-large'), undefined, 'create stored it anyway');

    const kept = sampleRecord('kept');
    kept.data = { small: true };
    await store.create(kept);
    const grown = present(await store.load('kept'), 'load');
    grown.data = { blob: 'x'.repeat(tooLarge) };
    await rejectsWithKind(store.save(grown), 'encode', 'save of a large record');
    const update = updateOf(store);
    if (update !== undefined) {
      const growing = update(
        'kept',
        (record) => void (record.data = { blob: 'y'.repeat(tooLarge) }),
      );
      await rejectsWithKind(growing, 'encode', 'update to a large record');
    }
    const loaded = present(await store.load('kept'), 'load after the refused writes');
    assertEqual(loaded.data, { small: true });
    assert.equal(loaded.revision, 1);

    // Half the limit: stored.
    await store.create(heavy('fits', Math.floor(maxRecordBytes / 2)));
    present(await store.load('fits'), 'load of a record half the limit');
  });
}

function otherCases(it: CaseRegistry['it']): void {
  it('refuses cyclic data with kind encode', async (store) => {
    const record = sampleRecord('cyclic');
    const data: Record<string, unknown> = {};
    data.self = data;
    record.data = data;
    await rejectsWithKind(store.create(record), 'encode', 'create of cyclic data');
    assert.equal(await store.load('cyclic'), undefined);
  });

  it('stores data nested 6,000 and 12,000 levels deep intact, or refuses it with kind encode', async (store) => {
    for (const levels of [6_000, 12_000]) {
      const id = `nested-${levels}`;
      const record = sampleRecord(id);
      record.data = { deep: nested(levels) };
      const outcome = await store.create(record).then(
        () => 'stored',
        (error: unknown) => error,
      );
      if (outcome === 'stored') {
        let depth = 0;
        let value = present(await store.load(id), `load of ${levels} levels`).data?.deep;
        while (Array.isArray(value) && value.length === 1) [value, depth] = [value[0], depth + 1];
        assert.equal(depth, levels, `levels of the stored data`);
        continue;
      }
      assert.ok(outcome instanceof SessionStoreError, `${levels} levels: ${String(outcome)}`);
      assert.equal(outcome.kind, 'encode', `${levels} levels: ${outcome.message}`);
      assert.equal(await store.load(id), undefined, `${levels} levels: stored anyway`);
    }
  });
}
