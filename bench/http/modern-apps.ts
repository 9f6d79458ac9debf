import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import { Body, Controller, Module, Post, Req, Res, type DynamicModule } from '@nestjs/common';
import { z } from 'zod';
import { McpSessionModule } from '../../lib/mcp-session.module';
import { MemorySessionStore } from '../../lib/stores/memory/memory-session.store';
import { McpController } from '../../sample/mcp.controller';

/** The SDK v2 server every 2026-07-28 bench app serves: one cheap tool, `echo`. */
export function createEchoServerV2(): McpServer {
  const server = new McpServer({ name: 'bench', version: '0.0.0' });
  server.registerTool(
    'echo',
    { description: 'Returns its text.', inputSchema: z.object({ text: z.string() }) },
    async ({ text }) => ({ content: [{ type: 'text' as const, text }] }),
  );
  return server;
}

const bare = toNodeHandler(createMcpHandler(() => createEchoServerV2(), { legacy: 'reject' }));

/** The floor: SDK v2's own `createMcpHandler`, mounted as its docs show (`toNodeHandler`). */
@Controller('mcp')
class BareModernController {
  @Post()
  post(
    @Req() req: IncomingMessage,
    @Res() res: ServerResponse,
    @Body() body: unknown,
  ): Promise<void> {
    return bare(req, res, body);
  }
}

/** The 2026-07-28 bench apps. */
@Module({})
export class BenchModernModule {
  /** The floor: a bare `createMcpHandler`. */
  static bare(): DynamicModule {
    return { module: BenchModernModule, controllers: [BareModernController] };
  }

  /** The sample's endpoint (`McpSessionTransports.handle`), memory store, the same server. */
  static ours(): DynamicModule {
    return {
      module: BenchModernModule,
      imports: [
        McpSessionModule.forRoot({
          store: new MemorySessionStore(),
          createServer: () => createEchoServerV2(),
          requestStateKey: randomBytes(32),
        }),
      ],
      controllers: [McpController],
    };
  }
}
