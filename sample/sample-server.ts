import { McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';
import type { McpServerContext } from '../lib';
import type { SessionToolsService } from './session-tools.service';

/** Name and version the sample server reports. */
export const SAMPLE_SERVER_INFO = { name: 'nestjs-mcp-session-sample', version: '0.1.0' } as const;

function text(value: unknown) {
  return { content: [{ type: 'text' as const, text: JSON.stringify(value, null, 2) }] };
}

/**
 * The sample's MCP server, for both protocol eras: tools that show the
 * session store at work. A 2025-era client keeps its state in its session
 * (`record.data`); a 2026-07-28 client, which has no session, in state
 * handles the server mints and the client passes back (`counter`, `notes`).
 */
export function createSampleServer(
  context: McpServerContext,
  tools: SessionToolsService,
): McpServer {
  const server = new McpServer(SAMPLE_SERVER_INFO, {
    instructions: 'Sample of nestjs-mcp-session: sessions that survive restarts and instance hops.',
    requestState: { verify: context.requestState.verify },
  });

  server.registerTool(
    'session_info',
    { description: "The caller's session record, as the store holds it (2025-era clients)." },
    async (ctx) =>
      ctx.sessionId
        ? text(await tools.record(ctx.sessionId))
        : text({ era: context.era, session: null, hint: 'MCP 2026-07-28 clients have no session' }),
  );

  server.registerTool(
    'count',
    {
      description:
        'Adds to a counter and returns the new value: per session for 2025-era clients; ' +
        'in a state handle (`counter`, returned by the first call) for 2026-07-28 clients.',
      inputSchema: z.object({
        by: z.number().int().optional().describe('How much to add (default 1)'),
        counter: z
          .string()
          .optional()
          .describe('The counter handle of an earlier call (2026-07-28)'),
      }),
    },
    async ({ by, counter }, ctx) =>
      ctx.sessionId
        ? text({ count: await tools.increment(ctx.sessionId, by ?? 1) })
        : text(await tools.incrementHandle(ctx, counter, by ?? 1)),
  );

  server.registerTool(
    'remember',
    {
      description:
        'Keeps a note and returns all notes: in the session (2025-era clients) or in a state ' +
        'handle (`notes`, returned by the first call) for 2026-07-28 clients.',
      inputSchema: z.object({
        key: z.string(),
        value: z.string(),
        notes: z.string().optional().describe('The notes handle of an earlier call (2026-07-28)'),
      }),
    },
    async ({ key, value, notes }, ctx) =>
      ctx.sessionId
        ? text(await tools.remember(ctx.sessionId, key, value))
        : text(await tools.rememberInHandle(ctx, notes, key, value)),
  );

  const builtAt = new Date();
  server.registerTool(
    'instance_info',
    {
      description:
        'Which process serves the call, and when it built its server (a 2025-era session is ' +
        'rebuilt from the stored record on a new instance or after a restart).',
    },
    async () =>
      text({
        pid: process.pid,
        era: context.era,
        serverBuiltAt: builtAt,
        builtFor: context.record?.clientInfo,
      }),
  );

  return server;
}
