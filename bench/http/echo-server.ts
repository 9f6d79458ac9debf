import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';

/** The MCP server every bench app serves: one cheap tool, `echo`. */
export function createEchoServer(): McpServer {
  const server = new McpServer({ name: 'bench', version: '0.0.0' });
  server.registerTool(
    'echo',
    { description: 'Returns its text.', inputSchema: { text: z.string() } },
    async ({ text }) => ({ content: [{ type: 'text' as const, text }] }),
  );
  return server;
}
