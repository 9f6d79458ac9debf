import type { JSONRPCMessage, MessageExtraInfo, Transport } from '@modelcontextprotocol/server';
import type { McpSessionSeed, McpTransportContext } from '@rekog/mcp-nest';
import type { McpServerContext } from '../interfaces/mcp-server-context.interface';
import type { McpSessionServer } from '../interfaces/mcp-session-options.interface';
import type { McpCallers } from '../sdk/mcp-callers';

/**
 * The request rekog hands its handlers as `ctx.getRawRequest()`: the Express
 * request itself, or the Node request under a Fastify request (`req.raw`),
 * as rekog's own HTTP adapters do.
 */
export function rawRequestOf(request: object): unknown {
  return (request as { raw?: unknown }).raw ?? request;
}

function isRequest(message: JSONRPCMessage): boolean {
  return 'method' in message && 'id' in message;
}

/**
 * The server of one 2025-era session, built from rekog's transport context
 * (`createServer` + `bindRequestHandlers`, its public surface for transports)
 * on `initialize` and on every instance that restores the session.
 *
 * rekog's handlers read the HTTP request from their binding, so each incoming
 * JSON-RPC request is bound to the HTTP request that carried it, as rekog's
 * own stateful transport does, but at the moment the SDK dispatches it: the
 * rebinding and the SDK's handler lookup run in one synchronous step, so two
 * requests of one session in flight at once never see each other's request.
 */
export function rekogSessionServer(
  ctx: McpTransportContext,
  context: McpServerContext,
  callers: McpCallers,
): McpSessionServer {
  const seed: McpSessionSeed = {
    transport: 'streamable-http',
    stateless: context.era === 'modern',
    era: context.era,
    sessionId: context.record?.id,
  };
  const server = ctx.createServer();
  let bound = rawRequestOf(context.request);
  ctx.bindRequestHandlers(server, seed, bound);
  return {
    async connect(transport: Transport): Promise<void> {
      await server.connect(transport);
      const dispatch = transport.onmessage;
      transport.onmessage = <T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => {
        const request = extra?.request && callers.requestOf({ http: { req: extra.request } });
        if (request !== undefined && isRequest(message)) {
          const raw = rawRequestOf(request);
          if (raw !== bound) {
            bound = raw;
            ctx.bindRequestHandlers(server, seed, raw);
          }
        }
        dispatch?.(message, extra);
      };
    },
    close: () => server.close(),
  };
}
