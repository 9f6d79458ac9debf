import { Module } from '@nestjs/common';
import { McpSessionGate } from './gate/mcp-session.gate';
import { McpSessionInterceptor } from './interceptors/mcp-session.interceptor';
import { MCP_SESSION_OPTIONS } from './mcp-session.constants';
import { ConfigurableModuleClass } from './mcp-session.module-definition';
import {
  eventBusProvider,
  eventStoreProvider,
  mcpSessionOptionsProvider,
  messageBusProvider,
  sessionStoreProvider,
} from './mcp-session.providers';
import { McpStateHandles } from './handles/mcp-state-handles';
import { McpSessionHealthIndicator } from './health/mcp-session.health';
import { LiveSessionsGauge } from './metrics/live-sessions.gauge';
import { McpCallers } from './sdk/mcp-callers';
import { McpSessionTransports } from './sdk/mcp-session.transports';
import { SessionCleanupService } from './session-cleanup.service';
import { SessionStore } from './contract/session-store';

/**
 * Keeps MCP sessions in a store and wires every piece of the library (the
 * one file that knows them all). `forRoot(options)` or
 * `forRootAsync({ imports, inject, useFactory | useClass | useExisting })`,
 * both with the `isGlobal` and `globalInterceptor` extras. Exports the store
 * (token `SessionStore`), the resolved options (`MCP_SESSION_OPTIONS`) and the
 * request-side providers listed below.
 */
@Module({
  providers: [
    mcpSessionOptionsProvider,
    sessionStoreProvider,
    eventBusProvider,
    messageBusProvider,
    eventStoreProvider,
    SessionCleanupService,
    McpSessionGate,
    McpSessionInterceptor,
    McpSessionTransports,
    McpCallers,
    McpStateHandles,
    McpSessionHealthIndicator,
    LiveSessionsGauge,
  ],
  exports: [
    SessionStore,
    MCP_SESSION_OPTIONS,
    McpSessionGate,
    McpSessionInterceptor,
    McpSessionTransports,
    McpCallers,
    McpStateHandles,
    McpSessionHealthIndicator,
  ],
})
export class McpSessionModule extends ConfigurableModuleClass {}
