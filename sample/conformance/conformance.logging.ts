import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  LoggingLevel,
  LoggingLevelSchema,
  ServerNotification,
  ServerRequest,
  SetLevelRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';

/** What a tool handler receives as its second argument. */
export type ToolExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** Sends a log message on the stream of the request that caused it. */
export type RequestLogger = (extra: ToolExtra, level: LoggingLevel, data: string) => Promise<void>;

const SEVERITY: readonly LoggingLevel[] = LoggingLevelSchema.options;

/**
 * Answers `logging/setLevel` and returns a logger that honours the level.
 *
 * The SDK's own `sendLoggingMessage` writes to the standalone GET stream; the
 * logger returned here sends through `extra.sendNotification` instead, so that
 * a tool's log lines travel in the response stream of the `tools/call` that
 * produced them, like progress notifications. The level is kept in this
 * server object (one per session); until a client sets one, every level is sent.
 */
export function installRequestLogging(server: McpServer): RequestLogger {
  let minimum: LoggingLevel | undefined;
  server.server.setRequestHandler(SetLevelRequestSchema, async (request) => {
    minimum = request.params.level;
    return {};
  });
  return async (extra, level, data) => {
    if (minimum !== undefined && SEVERITY.indexOf(level) < SEVERITY.indexOf(minimum)) return;
    await extra.sendNotification({
      method: 'notifications/message',
      params: { level, logger: 'conformance', data },
    });
  };
}
