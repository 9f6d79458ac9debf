export { McpSessionHttpTransport } from './mcp-session-http.transport';
export type { McpSessionHttpTransportOptions } from './mcp-session-http.transport';
