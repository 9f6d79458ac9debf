import type { McpServer, ServerContext } from '@modelcontextprotocol/server';
import { pause, textResult } from './conformance.tools';

async function logThree(ctx: ServerContext): Promise<void> {
  await ctx.mcpReq.log('info', 'Tool execution started', 'conformance');
  await pause(50);
  await ctx.mcpReq.log('info', 'Tool processing data', 'conformance');
  await pause(50);
  await ctx.mcpReq.log('info', 'Tool execution completed', 'conformance');
}

/**
 * Registers the tools that write log messages (and, in the 2025 era, break
 * their stream) while they run. Log lines go through `ctx.mcpReq.log`, which
 * sends them in the response stream of the call that produced them and
 * applies the level the client asked for: `logging/setLevel` on a 2025-era
 * session (the SDK answers it, the server declares `logging`), the
 * per-request `_meta` log level on MCP 2026-07-28, where a request without
 * one gets no log line at all.
 */
export function registerLoggingTools(server: McpServer, era: 'legacy' | 'modern'): void {
  if (era === 'modern') {
    server.registerTool(
      'test_logging_tool',
      {
        description:
          'Logs three info lines while it runs; sent only when the request names a log level.',
      },
      async (ctx) => {
        await logThree(ctx);
        return textResult('Logging tool finished.');
      },
    );
    return;
  }

  server.registerTool(
    'test_tool_with_logging',
    { description: 'Sends three info log messages, 50 ms apart, while it runs.' },
    async (ctx) => {
      await logThree(ctx);
      return textResult('Logging tool finished (3 messages sent).');
    },
  );

  server.registerTool(
    'test_reconnection',
    {
      description:
        'Closes its own response stream mid-call (SEP-1699) when the transport can replay ' +
        'events, then answers; the client resumes with Last-Event-ID.',
    },
    async (ctx) => {
      await pause(50);
      ctx.http?.closeSSE?.();
      await pause(100);
      return textResult('Reconnection test finished.');
    },
  );
}
