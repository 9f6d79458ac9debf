import { Controller, Get, UseInterceptors } from '@nestjs/common';
import { McpSession, McpSessionInterceptor, type SessionRecord } from '../lib';

/**
 * A plain HTTP route beside the MCP endpoint that shares its sessions:
 * `GET /session` with an `mcp-session-id` header shows that session (404 for
 * an unknown one, 400 for a malformed id), through `McpSessionInterceptor`
 * and `@McpSession()`.
 */
@Controller('session')
@UseInterceptors(McpSessionInterceptor)
export class SessionController {
  @Get()
  show(@McpSession() session?: SessionRecord) {
    if (!session) return { session: null, hint: 'send an mcp-session-id header' };
    const { id, protocolVersion, clientInfo, owner, data, createdAt, expiresAt } = session;
    return { session: { id, protocolVersion, clientInfo, owner, data, createdAt, expiresAt } };
  }
}
