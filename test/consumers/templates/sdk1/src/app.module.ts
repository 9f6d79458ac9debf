import { Module, type OnApplicationShutdown } from '@nestjs/common';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { McpSessionModule } from 'nestjs-mcp-session';
import { z } from 'zod';
import { McpController } from './mcp.controller.js';

/** One fresh MCP server per session, with one tool. */
function createServer(): McpServer {
  const server = new McpServer({ name: 'consumer-app', version: '1.0.0' });
  server.registerTool(
    'greet',
    { description: 'Greets someone', inputSchema: { name: z.string() } },
    async ({ name }) => ({ content: [{ type: 'text', text: `Hello, ${name}!` }] }),
  );
  return server;
}

/** The README's setup for SDK v1: the module with a server factory, and the MCP controller. */
@Module({
  imports: [McpSessionModule.forRoot({ createServer })],
  controllers: [McpController],
})
export class AppModule implements OnApplicationShutdown {
  onApplicationShutdown(signal?: string): void {
    console.log(`shut down (${signal ?? 'no signal'})`);
  }
}
