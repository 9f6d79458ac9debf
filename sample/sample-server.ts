import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { SessionRecord } from '../lib';
import type { SessionToolsService } from './session-tools.service';

/** Name and version the sample server reports in `initialize`. */
export const SAMPLE_SERVER_INFO = { name: 'nestjs-mcp-session-sample', version: '0.1.0' } as const;

function text(value: unknown) {
  return { content: [{ type: 'text' as const, text: JSON.stringify(value, null, 2) }] };
}

function sessionOf(extra: { sessionId?: string }): string {
  if (!extra.sessionId) throw new Error('This tool needs a session');
  return extra.sessionId;
}

/**
 * The sample's MCP server: tools that show the session store at work. One
 * server per session (the SDK binds a server to one transport).
 */
export function createSampleServer(record: SessionRecord, tools: SessionToolsService): McpServer {
  const server = new McpServer(SAMPLE_SERVER_INFO, {
    instructions: 'Sample of nestjs-mcp-session: sessions that survive restarts and instance hops.',
  });

  server.registerTool(
    'session_info',
    { description: "The caller's session record, as the store holds it." },
    async (extra) => text(await tools.record(sessionOf(extra))),
  );

  server.registerTool(
    'count',
    {
      description: 'Adds to a per-session counter kept in record.data; returns the new value.',
      inputSchema: { by: z.number().int().optional().describe('How much to add (default 1)') },
    },
    async ({ by }, extra) => text({ count: await tools.increment(sessionOf(extra), by ?? 1) }),
  );

  server.registerTool(
    'remember',
    {
      description: 'Keeps a note in the session (record.data.notes); returns all notes.',
      inputSchema: { key: z.string(), value: z.string() },
    },
    async ({ key, value }, extra) => text(await tools.remember(sessionOf(extra), key, value)),
  );

  const builtAt = new Date();
  server.registerTool(
    'instance_info',
    {
      description:
        'Which process serves this session, and when it built its server for it (a new ' +
        'instance or a restart rebuilds it from the stored record).',
    },
    async () => text({ pid: process.pid, serverBuiltAt: builtAt, builtFor: record.clientInfo }),
  );

  return server;
}
