import assert from 'node:assert/strict';
import type { CaseRegistry } from './contract-cases';
import { assertEqual, LONG_TTL, present, richRecord, sampleRecord } from './contract-fixtures';

const TIMES = ['createdAt', 'lastAccessed', 'expiresAt'] as const;

/** Round trips (every field, Dates, ids as data) and copies in and out. */
export function copyCases({ describe, it }: CaseRegistry): void {
  describe('round trips', () => {
    it('keeps every field, nested values included', async (store) => {
      const record = richRecord('rich');
      await store.create(record);
      const loaded = present(await store.load('rich'), 'load of a created record');

      assertEqual(loaded.clientInfo, record.clientInfo);
      assertEqual(loaded.clientCapabilities, record.clientCapabilities);
      assert.equal(loaded.owner, 'user-42');
      assertEqual(loaded.data, record.data);
    });

    it('returns Dates as Dates, to the millisecond', async (store) => {
      const record = sampleRecord('dates');
      await store.create(record);
      const loaded = present(await store.load('dates'), 'load of a created record');

      for (const field of TIMES) {
        assert.ok(
          loaded[field] instanceof Date,
          `${field} is not a Date: ${String(loaded[field])}`,
        );
        assert.equal(loaded[field].getTime(), record[field].getTime(), field);
      }
      assert.equal(loaded.isExpired(), false);
    });

    it('leaves optional fields absent when they were never set', async (store) => {
      await store.create(sampleRecord('bare'));
      const loaded = present(await store.load('bare'), 'load of a created record');
      assert.equal(loaded.clientInfo, undefined);
      assert.equal(loaded.clientCapabilities, undefined);
      assert.equal(loaded.owner, undefined);
      assert.equal(loaded.data, undefined);
    });

    it('treats ids as data: glob characters and prefixes never match other ids', async (store) => {
      const ids = [
        'a*',
        'a?',
        'a[bc]',
        'ab',
        'x',
        'x:y',
        '{tag}',
        '~!@#$%^&()_+|',
        'z'.repeat(255),
      ];
      for (const id of ids) {
        const record = sampleRecord(id);
        record.data = { id };
        await store.create(record);
        assert.equal(record.id, id);
      }
      await store.delete('a*');
      await store.delete('x');
      assert.equal(await store.load('a*'), undefined);
      assert.equal(await store.load('x'), undefined);
      for (const id of ids.filter((id) => id !== 'a*' && id !== 'x')) {
        assertEqual((await store.load(id))?.data, { id }, `data of id ${id}`);
      }
    });
  });

  describe('copies', () => {
    it('hands out copies: changing a loaded record changes nothing until save', async (store) => {
      await store.create(richRecord('isolated'));
      const loaded = present(await store.load('isolated'), 'load of a created record');
      const data = present(loaded.data, 'data');
      data.counter = 99;
      (data.nested as { list: unknown[] }).list.push('mutated');
      present(loaded.clientInfo, 'clientInfo').name = 'changed';
      const capabilities = present(loaded.clientCapabilities, 'clientCapabilities');
      (capabilities.roots as Record<string, unknown>).listChanged = false;
      loaded.expiresAt.setTime(0);

      const again = present(await store.load('isolated'), 'second load');
      assertEqual(again.data, richRecord('isolated').data);
      assert.equal(again.clientInfo?.name, 'contract-client');
      assertEqual(again.clientCapabilities, richRecord('isolated').clientCapabilities);
      assert.equal(again.isExpired(), false);

      loaded.expiresAt = new Date(Date.now() + LONG_TTL);
      await store.save(loaded);
      assert.equal((await store.load('isolated'))?.data?.counter, 99);
    });

    it('does not keep a reference to the record it was given', async (store) => {
      const record = richRecord('given');
      await store.create(record);
      present(record.data, 'data').counter = 1000;
      present(record.clientInfo, 'clientInfo').version = '9.9.9';
      const loaded = present(await store.load('given'), 'load of a created record');
      assert.equal(loaded.data?.counter, 3);
      assert.equal(loaded.clientInfo?.version, '1.2.3');
    });
  });
}
