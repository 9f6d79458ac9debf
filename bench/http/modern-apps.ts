import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { NodeStreamableHTTPServerTransport, toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, isInitializeRequest, McpServer } from '@modelcontextprotocol/server';
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

/**
 * The 2025-era floor of SDK v2: its documented sessionful example, a Map of
 * `NodeStreamableHTTPServerTransport` by session id in this process, one
 * server per session (JSON responses, as the session apps here answer).
 */
@Controller('mcp')
class SdkSessionsController {
  private readonly transports = new Map<string, NodeStreamableHTTPServerTransport>();

  @Post()
  async post(
    @Req() req: IncomingMessage,
    @Res() res: ServerResponse,
    @Body() body: unknown,
  ): Promise<void> {
    const id = req.headers['mcp-session-id'];
    let transport = typeof id === 'string' ? this.transports.get(id) : undefined;
    if (!transport) {
      if (id !== undefined || !isInitializeRequest(body)) {
        res.statusCode = 404;
        res.end(
          '{"jsonrpc":"2.0","error":{"code":-32001,"message":"Session not found"},"id":null}',
        );
        return;
      }
      const created = new NodeStreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        enableJsonResponse: true,
        onsessioninitialized: (sid) => void this.transports.set(sid, created),
      });
      transport = created;
      await createEchoServerV2().connect(transport);
    }
    await transport.handleRequest(req, res, body);
  }
}

/** The dual-era bench apps (SDK v2 servers). */
@Module({})
export class BenchModernModule {
  /** The 2026-07-28 floor: a bare `createMcpHandler`. */
  static bare(): DynamicModule {
    return { module: BenchModernModule, controllers: [BareModernController] };
  }

  /** The 2025-era floor: SDK v2's sessionful example (transports in a Map). */
  static sdkSessions(): DynamicModule {
    return { module: BenchModernModule, controllers: [SdkSessionsController] };
  }

  /**
   * The sample's endpoint (`McpSessionTransports.handle`), memory store, the
   * same server; `json`: 2025-era answers as JSON (as {@link sdkSessions}).
   */
  static ours(json = false): DynamicModule {
    return {
      module: BenchModernModule,
      imports: [
        McpSessionModule.forRoot({
          store: new MemorySessionStore(),
          createServer: () => createEchoServerV2(),
          requestStateKey: randomBytes(32),
          ...(json && { transport: { enableJsonResponse: true } }),
        }),
      ],
      controllers: [McpController],
    };
  }
}
