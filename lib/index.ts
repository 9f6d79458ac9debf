export { SessionRecord } from './session-record';
export type { SessionClientInfo, SessionRecordFields } from './session-record';
export { SessionStore } from './session-store';
export { SessionStoreError, shortId } from './session-store.error';
export type { SessionStoreErrorKind } from './session-store.error';
export { MemorySessionStore } from './stores/memory-session.store';
export type { MemorySessionStoreOptions } from './stores/memory-session.store';
export { McpSessionModule } from './mcp-session.module';
export type { McpSessionModuleExtras } from './mcp-session.module-definition';
export {
  MCP_SESSION_OPTIONS,
  DEFAULT_SESSION_TTL,
  DEFAULT_CLEANUP_INTERVAL,
} from './mcp-session.constants';
export type {
  McpSessionModuleOptions,
  McpSessionOptions,
  McpSessionOptionsFactory,
} from './interfaces/mcp-session-options.interface';
export { InjectSessionStore, InjectMcpSessionOptions } from './mcp-session.decorators';
export { SessionCleanupService } from './session-cleanup.service';
