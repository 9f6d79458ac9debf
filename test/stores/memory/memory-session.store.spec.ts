import { MemorySessionStore, SessionRecord } from '../../../lib';
import { sessionStoreContract } from '../../../lib/testing';

sessionStoreContract('MemorySessionStore', async () => ({ store: new MemorySessionStore() }));

describe('MemorySessionStore', () => {
  it('reports emptiness by live records', async () => {
    const store = new MemorySessionStore();
    expect(await store.isEmpty()).toBe(true);
    const dead = new SessionRecord('dead', '2025-11-25', 60_000);
    dead.expiresAt = new Date(Date.now() - 1);
    await store.save(dead);
    expect(await store.isEmpty()).toBe(true);
    await store.create(new SessionRecord('live', '2025-11-25', 60_000));
    expect(await store.isEmpty()).toBe(false);
  });

  // Whether a slice's time budget is spent depends on how fast this machine is,
  // so the two tests below use budgets that are spent at once (0 ms) or never
  // (a minute); what is asserted is what the store does with them.
  async function storeWithExpired(sweepSliceMs: number, size: number) {
    const store = new MemorySessionStore({ sweepSliceMs });
    const past = new Date(Date.now() - 1_000);
    for (let i = 0; i < size; i++) {
      const record = new SessionRecord(`s${i}`, '2025-11-25', 60_000);
      if (i % 10 === 0) record.expiresAt = past;
      await store.save(record);
    }
    return store;
  }

  it('sweeps a large store in slices, letting other work run in between', async () => {
    const store = await storeWithExpired(0, 200_000);
    let otherWorkRan = false;
    setImmediate(() => (otherWorkRan = true));
    const removed = await store.cleanupExpired();

    expect(otherWorkRan).toBe(true);
    expect(removed).toBe(20_000);
    expect(await store.count()).toBe(180_000);
  });

  it('does not yield while its slice budget lasts', async () => {
    const store = await storeWithExpired(60_000, 20_000);
    let otherWorkRan = false;
    setImmediate(() => (otherWorkRan = true));
    expect(await store.cleanupExpired()).toBe(2_000);
    expect(otherWorkRan).toBe(false);
  });

  it('keeps records created during a sweep', async () => {
    const store = new MemorySessionStore({ sweepSliceMs: 0 });
    const past = new Date(Date.now() - 1_000);
    for (let i = 0; i < 5_000; i++) {
      const record = new SessionRecord(`old${i}`, '2025-11-25', 60_000);
      record.expiresAt = past;
      await store.save(record);
    }
    const sweep = store.cleanupExpired();
    await store.create(new SessionRecord('newcomer', '2025-11-25', 60_000));
    expect(await sweep).toBe(5_000);
    expect(await store.load('newcomer')).toBeDefined();
  });
});
