import { McpServer } from '@modelcontextprotocol/server';
import { Module, type OnApplicationShutdown } from '@nestjs/common';
import { McpSessionModule } from 'nestjs-mcp-session';
import { z } from 'zod';
import { McpController } from './mcp.controller.js';

/**
 * The README's setup for SDK v2: the module with a server factory that passes
 * the request-state codec's `verify` to the server (one server per 2025-era
 * session or per 2026-07-28 request), and the MCP controller.
 */
@Module({
  imports: [
    McpSessionModule.forRoot({
      createServer: ({ requestState }) => {
        const server = new McpServer(
          { name: 'consumer-app', version: '1.0.0' },
          { requestState: { verify: requestState.verify } },
        );
        server.registerTool(
          'greet',
          { description: 'Greets someone', inputSchema: z.object({ name: z.string() }) },
          async ({ name }) => ({ content: [{ type: 'text', text: `Hello, ${name}!` }] }),
        );
        return server;
      },
    }),
  ],
  controllers: [McpController],
})
export class AppModule implements OnApplicationShutdown {
  onApplicationShutdown(signal?: string): void {
    console.log(`shut down (${signal ?? 'no signal'})`);
  }
}
