import { type DynamicModule, Module } from '@nestjs/common';
import { MCP_SERVER_FACTORY, McpSessionModule, type McpSessionModuleOptions } from '../lib';
import { SampleServerFactory } from './mcp-server.factory';
import { McpController } from './mcp.controller';
import { SessionController } from './session.controller';
import { SessionToolsService } from './session-tools.service';

/**
 * The sample MCP server as one module: the MCP endpoint on `/mcp`, a plain
 * `GET /session` route behind the interceptor, the session module with
 * `options`, and the server factory.
 */
@Module({})
export class SampleModule {
  /** The sample with these session options (the tests pass their own store). */
  static register(options: McpSessionModuleOptions = {}): DynamicModule {
    return {
      module: SampleModule,
      imports: [McpSessionModule.forRoot(options)],
      controllers: [McpController, SessionController],
      providers: [
        SessionToolsService,
        SampleServerFactory,
        { provide: MCP_SERVER_FACTORY, useExisting: SampleServerFactory },
      ],
    };
  }
}
