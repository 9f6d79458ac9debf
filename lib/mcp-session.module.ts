import { Module } from '@nestjs/common';
import { MCP_SESSION_OPTIONS } from './mcp-session.constants';
import { ConfigurableModuleClass } from './mcp-session.module-definition';
import { mcpSessionOptionsProvider, sessionStoreProvider } from './mcp-session.providers';
import { SessionCleanupService } from './session-cleanup.service';
import { SessionStore } from './session-store';

/**
 * Keeps MCP sessions in a store. `forRoot(options)` or
 * `forRootAsync({ imports, inject, useFactory | useClass | useExisting })`;
 * both accept `isGlobal`.
 */
@Module({
  providers: [mcpSessionOptionsProvider, sessionStoreProvider, SessionCleanupService],
  exports: [SessionStore, MCP_SESSION_OPTIONS],
})
export class McpSessionModule extends ConfigurableModuleClass {}
