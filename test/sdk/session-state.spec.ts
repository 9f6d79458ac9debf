import { Logger } from '@nestjs/common';
import { MemorySessionStore, SessionRecord, type SessionStore, updateRecord } from '../../lib';
import type { McpSessionOptions } from '../../lib/interfaces/mcp-session-options.interface';
import { SessionRecords } from '../../lib/sdk/session-records';
import {
  applyChange,
  catchUp,
  changeOf,
  SDK_STATE_KEY,
  storedState,
} from '../../lib/sdk/session-state';

describe('the SDK state kept with a session (record.data["mcp:sdk-state"])', () => {
  it('reads what logging/setLevel and resources/(un)subscribe change, nothing else', () => {
    expect(changeOf({ id: 1, method: 'logging/setLevel', params: { level: 'error' } })).toEqual({
      method: 'logging/setLevel',
      value: 'error',
    });
    expect(changeOf({ id: 2, method: 'resources/subscribe', params: { uri: 'a://1' } })).toEqual({
      method: 'resources/subscribe',
      value: 'a://1',
    });
    expect(changeOf({ id: 3, method: 'resources/read', params: { uri: 'a://1' } })).toBeUndefined();
    expect(changeOf({ id: 4, method: 'logging/setLevel', params: {} })).toBeUndefined();
  });

  it('applies changes in order, a subscription once, the latest level', () => {
    let state = {};
    for (const [method, value] of [
      ['resources/subscribe', 'a://1'],
      ['logging/setLevel', 'info'],
      ['resources/subscribe', 'a://2'],
      ['resources/subscribe', 'a://1'],
      ['resources/unsubscribe', 'a://2'],
      ['logging/setLevel', 'error'],
    ] as const) {
      state = applyChange(state, { method, value });
    }
    expect(state).toEqual({ logLevel: 'error', subscriptions: ['a://1'] });
    expect(applyChange(state, { method: 'resources/unsubscribe', value: 'a://1' })).toEqual({
      logLevel: 'error',
    });
  });

  it('tells a server what it misses, and reads only well-formed stored state', () => {
    expect(
      catchUp(
        { logLevel: 'info', subscriptions: ['a://1', 'a://2'] },
        { logLevel: 'error', subscriptions: ['a://2', 'a://3'] },
      ),
    ).toEqual([
      { method: 'logging/setLevel', value: 'error' },
      { method: 'resources/unsubscribe', value: 'a://1' },
      { method: 'resources/subscribe', value: 'a://3' },
    ]);
    expect(catchUp({ logLevel: 'info' }, {})).toEqual([]);
    const record = new SessionRecord('s', '2025-11-25', 60_000);
    expect(storedState(record)).toEqual({});
    record.data = { [SDK_STATE_KEY]: { logLevel: 7, subscriptions: ['a://1', 2] } };
    expect(storedState(record)).toEqual({ subscriptions: ['a://1'] });
  });
});

describe('SessionRecords.updateState', () => {
  /** A remote-like store: an await between every read and write, revision-checked saves, an atomic update. */
  function remoteLike(): SessionStore {
    const inner = new MemorySessionStore();
    const pause = () => new Promise((resolve) => setImmediate(resolve));
    return {
      create: (record) => inner.create(record),
      load: async (id) => (await pause(), inner.load(id)),
      save: async (record) => (await pause(), inner.save(record)),
      update: async (id, change, options) => (await pause(), inner.update(id, change, options)),
      delete: (id) => inner.delete(id),
    };
  }

  it('keeps every change and every concurrent write of data: atomic, no lost update, no conflict', async () => {
    const store = remoteLike();
    await store.create(new SessionRecord('s', '2025-11-25', 60_000));
    const warnings = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const records = new SessionRecords({ store } as McpSessionOptions, new Logger('test'));
    const uris = Array.from({ length: 20 }, (_, i) => `a://${i}`);
    await Promise.all([
      ...uris.map((uri) => records.updateState('s', { method: 'resources/subscribe', value: uri })),
      ...uris.map(() =>
        updateRecord(
          store,
          's',
          (r) => void (r.data = { ...r.data, n: Number(r.data?.n ?? 0) + 1 }),
        ),
      ),
    ]);
    const stored = (await store.load('s'))!;
    expect(stored.data?.n).toBe(20);
    expect(storedState(stored).subscriptions?.slice().sort()).toEqual(uris.slice().sort());
    expect(warnings).not.toHaveBeenCalled();
    warnings.mockRestore();
  });
});
