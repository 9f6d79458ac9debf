import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import {
  MCP_SERVER_FACTORY,
  McpParseErrorFilter,
  McpSessionModule,
  type McpSessionModuleOptions,
} from '../lib';
import { HealthController } from './health.controller';
import { SampleServerFactory } from './mcp-server.factory';
import { McpController } from './mcp.controller';
import { SessionController } from './session.controller';
import { SessionToolsService } from './session-tools.service';

/**
 * The sample MCP server as one module: the MCP endpoint on `/mcp`, a plain
 * `GET /session` route behind the interceptor, `GET /health` (terminus), the
 * session module with `options`, the server factory, and the JSON-RPC parse
 * error filter.
 */
@Module({})
export class SampleModule {
  /** The sample with these session options (the tests pass their own store). */
  static register(options: McpSessionModuleOptions = {}): DynamicModule {
    return {
      module: SampleModule,
      imports: [McpSessionModule.forRoot(options), TerminusModule],
      controllers: [McpController, SessionController, HealthController],
      providers: [
        SessionToolsService,
        SampleServerFactory,
        { provide: MCP_SERVER_FACTORY, useExisting: SampleServerFactory },
        // Invalid JSON on /mcp: 400 with JSON-RPC -32700, as the SDK answers it.
        { provide: APP_FILTER, useClass: McpParseErrorFilter },
      ],
    };
  }
}
