/* eslint-disable @typescript-eslint/no-require-imports */
import type { McpServerContext, McpSessionServer } from '../../lib';

/** The SDK line a routing spec's servers are built with. */
export type SdkLine = 1 | 2;

/** The tool context of either line: v1 `extra` or v2 `ctx`. */
interface ToolContext {
  requestId?: string | number;
  sessionId?: string;
  mcpReq?: { id: string | number };
  closeSSEStream?: () => void;
  http?: { closeSSE?: () => void };
}

/** The low-level server of either line, as far as the fixture uses it. */
interface LowLevel {
  createMessage(params: object, options?: object): Promise<{ content: { text?: string } }>;
  elicitInput(params: object, options?: object): Promise<{ action: string; content?: object }>;
  listRoots(params?: object, options?: object): Promise<{ roots: { uri: string }[] }>;
  sendResourceUpdated(params: { uri: string }): Promise<void>;
  isMessageIgnored(level: string, sessionId?: string): boolean;
  setRequestHandler(
    schemaOrMethod: unknown,
    handler: (request: { params: { uri: string } }) => object,
  ): void;
}

const LEVELS = ['debug', 'info', 'notice', 'warning', 'error'];

function text(value: unknown) {
  return { content: [{ type: 'text' as const, text: JSON.stringify(value) }] };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every `notify` of the process gets the next URI: `test://watched/<n>`. */
let notified = 0;

/**
 * The 2025-era server of the routing specs, on SDK line `line`: tools that
 * ask the client (sampling, elicitation, roots) on the call's stream, one
 * that publishes a resource update on the standalone stream, one that breaks
 * its own stream mid-call, and read-outs of the log level and the resource
 * subscriptions this server object holds. `answerTimeout` bounds `elicit`'s
 * wait (ms).
 */
export function createRoutingServer(
  line: SdkLine,
  context: McpServerContext,
  answerTimeout = 60_000,
): McpSessionServer {
  const { McpServer } =
    line === 1
      ? require('@modelcontextprotocol/sdk/server/mcp.js')
      : require('@modelcontextprotocol/server');
  const server = new McpServer(
    { name: 'routing-spec', version: '1.0.0' },
    { capabilities: { logging: {}, resources: { subscribe: true } } },
  );
  const low = server.server as LowLevel;
  const idOf = (ctx: ToolContext) => ctx.requestId ?? ctx.mcpReq?.id;
  const related = (ctx: ToolContext) => ({ relatedRequestId: idOf(ctx), timeout: answerTimeout });
  const tool = (name: string, run: (ctx: ToolContext) => Promise<object>) =>
    server.registerTool(name, { description: name }, async (ctx: ToolContext) => {
      try {
        return text(await run(ctx));
      } catch (error) {
        return { ...text({ error: (error as Error).message }), isError: true };
      }
    });

  tool('sample', async (ctx) => {
    const params = {
      messages: [{ role: 'user', content: { type: 'text', text: 'Hi?' } }],
      maxTokens: 10,
    };
    return { sampled: (await low.createMessage(params, related(ctx))).content.text };
  });
  tool('elicit', async (ctx) => {
    const requestedSchema = { type: 'object', properties: { name: { type: 'string' } } };
    const answer = await low.elicitInput(
      { mode: 'form', message: 'Name?', requestedSchema },
      related(ctx),
    );
    return { action: answer.action, content: answer.content };
  });
  tool('roots', async (ctx) => ({ roots: (await low.listRoots(undefined, related(ctx))).roots }));
  // Not tied to the call: the request goes out on the client's standalone GET stream.
  tool('roots_standalone', async () => ({
    roots: (await low.listRoots(undefined, { timeout: answerTimeout })).roots,
  }));
  tool('notify', async () => {
    const uri = `test://watched/${++notified}`;
    await low.sendResourceUpdated({ uri });
    return { sent: uri };
  });
  tool('reconnect', async (ctx) => {
    await pause(50);
    (ctx.http?.closeSSE ?? ctx.closeSSEStream)?.();
    await pause(300);
    return { finished: true };
  });
  tool('levels', async (ctx) => ({
    levels: LEVELS.filter((level) => !low.isMessageIgnored(level, ctx.sessionId)),
  }));

  const subscribed = new Set<string>();
  tool('subscriptions', async () => ({ uris: [...subscribed] }));
  const types = line === 1 ? require('@modelcontextprotocol/sdk/types.js') : undefined;
  low.setRequestHandler(types ? types.SubscribeRequestSchema : 'resources/subscribe', (request) => {
    subscribed.add(request.params.uri);
    return {};
  });
  low.setRequestHandler(
    types ? types.UnsubscribeRequestSchema : 'resources/unsubscribe',
    (request) => {
      subscribed.delete(request.params.uri);
      return {};
    },
  );
  return server as McpSessionServer;
}
