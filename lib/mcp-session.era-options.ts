import type {
  McpSessionModuleOptions,
  McpSessionOptions,
} from './interfaces/mcp-session-options.interface';
import type { SessionStore } from './contract/session-store';
import { MemoryServerEventBus } from './stores/memory/memory-server-event-bus';
import { MemorySessionMessageBus } from './stores/memory/memory-session-message-bus';
import { MemorySessionStore } from './stores/memory/memory-session.store';

/** The SDK's `createRequestStateCodec` refuses shorter keys. */
const MIN_KEY_BYTES = 32;

type EraOptions = Pick<
  McpSessionOptions,
  'requestStateKey' | 'sharedStore' | 'eventBus' | 'resolveAuthInfo' | 'messageBus' | 'eventStore'
>;

function invalid(option: string, problem: string): Error {
  return new Error(`McpSessionModule: option "${option}" ${problem}`);
}

/**
 * Checks the options of the 2026-07-28 era (request-state key, event bus,
 * auth resolver) and marks whether `store` is shared between processes.
 * @throws Error naming the option when one is invalid.
 */
export function resolveEraOptions(raw: McpSessionModuleOptions, store: SessionStore): EraOptions {
  const { requestStateKey: key, eventBus, resolveAuthInfo } = raw;
  if (key !== undefined) {
    const bytes =
      typeof key === 'string'
        ? Buffer.byteLength(key, 'utf8')
        : key instanceof Uint8Array
          ? key.byteLength
          : -1;
    if (bytes < MIN_KEY_BYTES) {
      throw invalid(
        'requestStateKey',
        bytes < 0
          ? `must be a string or a Uint8Array, got ${typeof key}`
          : `must be at least ${MIN_KEY_BYTES} bytes, got ${bytes}`,
      );
    }
  }
  if (
    eventBus !== undefined &&
    (typeof eventBus?.publish !== 'function' || typeof eventBus?.subscribe !== 'function')
  ) {
    throw invalid('eventBus', 'must have publish and subscribe methods');
  }
  const { messageBus, eventStore } = raw;
  if (
    messageBus !== undefined &&
    (typeof messageBus?.publish !== 'function' ||
      typeof messageBus?.subscribe !== 'function' ||
      typeof messageBus?.instanceId !== 'string')
  ) {
    throw invalid('messageBus', 'must have an instanceId and publish and subscribe methods');
  }
  if (
    eventStore !== undefined &&
    (typeof eventStore?.forSession !== 'function' ||
      typeof eventStore?.deleteSession !== 'function')
  ) {
    throw invalid('eventStore', 'must have forSession and deleteSession methods');
  }
  if (resolveAuthInfo !== undefined && typeof resolveAuthInfo !== 'function') {
    throw invalid('resolveAuthInfo', `must be a function, got ${typeof resolveAuthInfo}`);
  }
  const resolved: EraOptions = {
    sharedStore: !(store instanceof MemorySessionStore),
    eventBus: eventBus ?? new MemoryServerEventBus(),
    messageBus: messageBus ?? new MemorySessionMessageBus(),
  };
  if (eventStore !== undefined) resolved.eventStore = eventStore;
  if (key !== undefined) resolved.requestStateKey = key;
  if (resolveAuthInfo !== undefined) resolved.resolveAuthInfo = resolveAuthInfo;
  return resolved;
}
