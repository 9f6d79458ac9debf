import { Logger } from '@nestjs/common';
import {
  createMcpHandler,
  McpServer,
  type ServerEvent,
  type ServerEventBus,
} from '@modelcontextprotocol/server';
import type { McpServerEvent } from '../../../lib/interfaces/server-event-bus.interface';
import { MemoryServerEventBus } from '../../../lib/stores/memory/memory-server-event-bus';

const tools: McpServerEvent = { kind: 'tools_list_changed' };
const updated: McpServerEvent = { kind: 'resource_updated', uri: 'test://r', params: { x: 1 } };

describe('MemoryServerEventBus', () => {
  let error: jest.SpyInstance;

  beforeEach(() => {
    error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => error.mockRestore());

  it('delivers synchronously to every listener, in subscription order, the event as published', () => {
    const bus = new MemoryServerEventBus();
    const seen: string[] = [];
    const events: McpServerEvent[] = [];
    bus.subscribe(() => seen.push('first'));
    bus.subscribe((event) => {
      seen.push('second');
      events.push(event);
    });
    bus.publish(tools);
    bus.publish(updated);
    expect(seen).toEqual(['first', 'second', 'first', 'second']);
    expect(events).toEqual([tools, updated]);
  });

  it('keeps delivering past a throwing listener, and logs each failure', () => {
    const bus = new MemoryServerEventBus();
    const seen: string[] = [];
    bus.subscribe(() => {
      throw new Error('boom');
    });
    bus.subscribe((event) => seen.push(event.kind));
    expect(() => bus.publish(tools)).not.toThrow();
    expect(() => bus.publish(tools)).not.toThrow();
    expect(seen).toEqual(['tools_list_changed', 'tools_list_changed']);
    expect(error).toHaveBeenCalledTimes(2);
    expect(String(error.mock.calls[0][0])).toContain('tools_list_changed: boom');
  });

  it('unsubscribes idempotently, one registration at a time', () => {
    const bus = new MemoryServerEventBus();
    let calls = 0;
    const listener = () => void calls++;
    const first = bus.subscribe(listener);
    bus.subscribe(listener);
    expect(bus.listenerCount).toBe(2);
    bus.publish(tools);
    expect(calls).toBe(2);

    first();
    first();
    expect(bus.listenerCount).toBe(1);
    bus.publish(tools);
    expect(calls).toBe(3);
  });

  it('lets a listener unsubscribe itself, or a later one, during delivery', () => {
    const bus = new MemoryServerEventBus();
    const seen: string[] = [];
    const self = bus.subscribe(() => {
      seen.push('self');
      self();
    });
    bus.subscribe(() => {
      seen.push('remover');
      later();
    });
    const later = bus.subscribe(() => seen.push('later'));
    bus.subscribe(() => seen.push('last'));

    bus.publish(tools);
    expect(seen).toEqual(['self', 'remover', 'last']);
    seen.length = 0;
    bus.publish(tools);
    expect(seen).toEqual(['remover', 'last']);
  });

  it('is a ServerEventBus of SDK v2: handler.notify reaches its listeners', async () => {
    const bus = new MemoryServerEventBus();
    const sdkBus: ServerEventBus = bus;
    const events: ServerEvent[] = [];
    bus.subscribe((event) => events.push(event));
    const handler = createMcpHandler(() => new McpServer({ name: 'bus', version: '1.0.0' }), {
      legacy: 'reject',
      bus: sdkBus,
    });
    try {
      expect(handler.bus).toBe(bus);
      handler.notify.toolsChanged();
      handler.notify.resourceUpdated('test://x');
      expect(events).toEqual([
        { kind: 'tools_list_changed' },
        { kind: 'resource_updated', uri: 'test://x' },
      ]);
    } finally {
      await handler.close();
    }
  });
});
