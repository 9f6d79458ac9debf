import { MemorySessionMessageBus } from '../../../lib';

describe('MemorySessionMessageBus', () => {
  it('is the only instance there is: publishing reaches nobody, its listeners hear nothing', async () => {
    const bus = new MemorySessionMessageBus();
    const heard: unknown[] = [];
    const off = bus.subscribe((message) => heard.push(message));
    expect(bus.listenerCount).toBe(1);
    expect(await bus.publish({ kind: 'ended', sessionId: 's' })).toBe(false);
    expect(
      await bus.publish({ kind: 'reply', sessionId: 's', message: { id: 1 } }, bus.instanceId),
    ).toBe(false);
    expect(
      await bus.publish({ kind: 'reply', sessionId: 's', message: { id: 1 } }, 'elsewhere'),
    ).toBe(false);
    expect(heard).toEqual([]);
    off();
    off();
    expect(bus.listenerCount).toBe(0);
  });

  it('has an instance id of its own per bus', () => {
    const ids = new Set(Array.from({ length: 5 }, () => new MemorySessionMessageBus().instanceId));
    expect(ids.size).toBe(5);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{16}$/);
  });
});
