import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { registerClientRequestTools } from './conformance.client-requests';
import { installRequestLogging } from './conformance.logging';
import { registerConformancePrompts } from './conformance.prompts';
import { registerConformanceResources } from './conformance.resources';
import { registerConformanceTools } from './conformance.tools';

/** Name and version the conformance server reports in `initialize`. */
export const CONFORMANCE_SERVER_INFO = {
  name: 'nestjs-mcp-session-conformance',
  version: '0.1.0',
} as const;

/**
 * A fresh MCP server with every tool, resource and prompt that the server
 * scenarios of `@modelcontextprotocol/conformance` call, for the sample's
 * conformance mode. Call it once per session: the server keeps per-session
 * state (log level, resource subscriptions) and the SDK binds a server to one
 * transport.
 */
export function createConformanceServer(): McpServer {
  const server = new McpServer(CONFORMANCE_SERVER_INFO, {
    capabilities: { logging: {} },
    instructions: 'Conformance fixture of nestjs-mcp-session: test tools, resources and prompts.',
  });
  const log = installRequestLogging(server);
  registerConformanceTools(server, log);
  registerClientRequestTools(server);
  registerConformanceResources(server);
  registerConformancePrompts(server);
  return server;
}
