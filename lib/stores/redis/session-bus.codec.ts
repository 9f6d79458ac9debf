import type { McpSessionBusMessage } from '../../interfaces/session-message-bus.interface';

const KINDS: ReadonlySet<string> = new Set(['reply', 'outbound', 'ended']);

/**
 * The pub/sub message of `RedisSessionMessageBus`: JSON
 * `{"o":"<origin>","k":"<kind>","s":"<session id>"[,"m":{...}][,"e":"<event id>"]}`.
 * `o` lets an instance skip the echo of its own broadcasts.
 */
export function encodeBusMessage(origin: string, message: McpSessionBusMessage): string {
  const { kind, sessionId, message: json, eventId } = message;
  return JSON.stringify({ o: origin, k: kind, s: sessionId, m: json, e: eventId });
}

/**
 * Parses and checks a channel message.
 * @returns the origin and a clean message (known fields only), or `undefined`
 *   for invalid JSON, an unknown kind, an empty or non-string session id, a
 *   JSON-RPC message that is not an object, or a non-string event id or origin.
 */
export function decodeBusMessage(
  raw: string,
): { origin: string; message: McpSessionBusMessage } | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (!isObject(parsed)) return undefined;
  const { o, k, s, m, e } = parsed;
  if (typeof o !== 'string' || typeof k !== 'string' || !KINDS.has(k)) return undefined;
  if (typeof s !== 'string' || s.length === 0) return undefined;
  if (m !== undefined && !isObject(m)) return undefined;
  if (e !== undefined && typeof e !== 'string') return undefined;
  const message: McpSessionBusMessage = { kind: k as McpSessionBusMessage['kind'], sessionId: s };
  if (m !== undefined) message.message = m;
  if (e !== undefined) message.eventId = e;
  return { origin: o, message };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
