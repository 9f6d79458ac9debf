import assert from 'node:assert/strict';
import type { CaseRegistry } from './contract-cases';
import { assertEqual, sampleRecord } from './contract-fixtures';

/** Concurrent calls on one store: `create` claims an id atomically. */
export function concurrencyCases({ it }: CaseRegistry): void {
  it('ends concurrent creates of one preferred id with distinct stored ids', async (store) => {
    const records = Array.from({ length: 25 }, (_, i) => {
      const record = sampleRecord('contended');
      record.data = { i };
      return record;
    });
    await Promise.all(records.map((record) => store.create(record)));

    const ids = records.map((record) => record.id);
    assert.equal(new Set(ids).size, records.length, `ids handed out: ${ids.join(', ')}`);
    assert.equal(ids.filter((id) => id === 'contended').length, 1);
    for (const record of records) {
      assertEqual((await store.load(record.id))?.data, record.data, `data of ${record.id}`);
    }
  });
}
