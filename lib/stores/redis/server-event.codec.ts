import type { McpServerEvent } from '../../interfaces/server-event-bus.interface';

/**
 * The pub/sub message of `RedisServerEventBus`: JSON
 * `{"origin":"<instance tag>","event":{"kind":...}}`. `origin` lets an
 * instance skip its own echo; a message without one (published by another
 * tool) reaches every instance.
 */
export interface ServerEventMessage {
  origin?: string;
  event: McpServerEvent;
}

const KINDS: ReadonlySet<string> = new Set([
  'tools_list_changed',
  'prompts_list_changed',
  'resources_list_changed',
  'resource_updated',
]);

/** Serialises an event for the channel. */
export function encodeServerEvent(origin: string, event: McpServerEvent): string {
  return JSON.stringify({ origin, event });
}

/**
 * Parses and checks a channel message.
 * @returns the message with a clean event (known fields only), or `undefined`
 *   for anything else: invalid JSON, an unknown `kind`, a `resource_updated`
 *   without a string `uri`, `params` that are not an object, a non-string
 *   `origin`.
 */
export function decodeServerEvent(message: string): ServerEventMessage | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    return undefined;
  }
  if (!isObject(parsed) || !isObject(parsed.event)) return undefined;
  const { origin } = parsed;
  if (origin !== undefined && typeof origin !== 'string') return undefined;
  const { kind, uri, params } = parsed.event;
  if (typeof kind !== 'string' || !KINDS.has(kind)) return undefined;
  if (params !== undefined && !isObject(params)) return undefined;
  let event: McpServerEvent;
  if (kind === 'resource_updated') {
    if (typeof uri !== 'string') return undefined;
    event = { kind, uri };
  } else {
    event = { kind } as McpServerEvent;
  }
  if (params !== undefined) event.params = params;
  return origin === undefined ? { event } : { origin, event };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
