import { Controller, Module, UseGuards } from '@nestjs/common';
import { McpHttpControllerFor, McpStrategy } from '@rekog/mcp-nest';
import { McpSessionModule, RedisSessionStore } from '../../lib';
import { McpSessionHttpTransport } from '../../lib/rekog';
import { DemoBearerGuard } from './bearer.guard';
import { NotesTools } from './notes.tools';

// rekog's Streamable HTTP transport, with 2025-era sessions in the store.
export const transport = new McpSessionHttpTransport({ stepUpAuthorization: true });
export const mcp = new McpStrategy({ name: 'notes', version: '1.0.0', transports: [transport] });

// The MCP endpoint: rekog's controller base, behind your authentication guard.
@Controller('mcp')
@UseGuards(DemoBearerGuard)
export class McpHttpController extends McpHttpControllerFor(transport) {}

const redisUrl = process.env.REDIS_URL;

@Module({
  imports: [
    McpSessionModule.forRoot({
      // Without REDIS_URL: the memory store (one instance).
      store: redisUrl ? RedisSessionStore.fromUrl(redisUrl) : undefined,
      // The same key on every instance (at least 32 bytes); required with Redis.
      requestStateKey: process.env.MCP_REQUEST_STATE_KEY,
      // A session serves only the user who opened it.
      resolveOwner: (req: { user?: { sub?: string } }) => req.user?.sub,
    }),
  ],
  controllers: [McpHttpController, NotesTools],
  providers: [transport.provider],
})
export class RekogModule {}
