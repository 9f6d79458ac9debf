import { McpServer } from '@modelcontextprotocol/server';
import type { McpServerContext } from '../../lib';
import { registerClientRequestTools } from './conformance.client-requests';
import { registerInputRequiredTools } from './conformance.input-required';
import { registerInputRoundTools } from './conformance.input-rounds';
import { registerLoggingTools } from './conformance.logging';
import { registerConformancePrompts } from './conformance.prompts';
import { registerConformanceResources } from './conformance.resources';
import { registerStatelessTools } from './conformance.stateless';
import { registerConformanceTools } from './conformance.tools';
import { registerWireFormatTools } from './conformance.wire';

/** Name and version the conformance server reports (`initialize`, `server/discover`). */
export const CONFORMANCE_SERVER_INFO = {
  name: 'nestjs-mcp-session-conformance',
  version: '0.2.0',
} as const;

/** How long clients may cache the lists: they only change with a new deployment. */
const LIST_CACHE = { ttlMs: 60_000, cacheScope: 'public' } as const;

/**
 * A fresh MCP server (SDK v2) with every tool, resource and prompt that the
 * server scenarios of `@modelcontextprotocol/conformance` call, for both
 * requirement sets of the suite, for the sample's conformance mode
 * (`MCP_SAMPLE_MODE=conformance`). Call it with the `context` the module
 * hands the server factory, once per server:
 *
 * - `era: 'legacy'` (2025-11-25 set): one server serves a whole session;
 *   the 2025 tools ask the client on the `tools/call` stream (sampling,
 *   elicitation) and honour `logging/setLevel`.
 * - `era: 'modern'` (2026-07-28 set): one server serves one request; tools
 *   that need the client's input return `input_required` results whose
 *   `requestState` is sealed with the shared `context.requestState` codec
 *   (so any instance can continue them), and the diagnostic tools publish
 *   list changes on `context.notify` (so every instance's listen streams
 *   hear them).
 *
 * The `input_required` tools and the prompt are registered in both eras: on
 * a 2025-era session the SDK's legacy shim turns their requests into real
 * server-to-client requests.
 */
export function createConformanceServer(context: McpServerContext): McpServer {
  const server = new McpServer(CONFORMANCE_SERVER_INFO, {
    capabilities: {
      logging: {},
      tools: { listChanged: true },
      prompts: { listChanged: true },
      resources: { listChanged: true, subscribe: true },
    },
    instructions: 'Conformance fixture of nestjs-mcp-session: test tools, resources and prompts.',
    requestState: { verify: context.requestState.verify },
    cacheHints: {
      'tools/list': LIST_CACHE,
      'prompts/list': LIST_CACHE,
      'resources/list': LIST_CACHE,
      'resources/templates/list': LIST_CACHE,
    },
  });
  registerConformanceTools(server);
  registerLoggingTools(server, context.era);
  registerInputRequiredTools(server, context.requestState);
  registerInputRoundTools(server, context.requestState);
  registerWireFormatTools(server);
  if (context.era === 'legacy') registerClientRequestTools(server);
  else registerStatelessTools(server, context.notify);
  registerConformanceResources(server, context.era);
  registerConformancePrompts(server);
  return server;
}
