import {
  acceptedContent,
  inputRequired,
  McpServer,
  type ServerContext,
} from '@modelcontextprotocol/server';
import { z } from 'zod';
import type { McpServerContext, McpStateHandles } from '../../lib';

const Name = z.object({ name: z.string() });

function json(value: unknown) {
  return { content: [{ type: 'text' as const, text: JSON.stringify(value) }] };
}

/**
 * The dual-era server of the era specs (SDK v2): who is calling, a
 * two-round tool, a counter in a state handle, and a trigger for listen
 * streams.
 */
export function createErasServer(context: McpServerContext, handles: McpStateHandles): McpServer {
  const server = new McpServer(
    { name: 'eras-spec', version: '1.0.0' },
    {
      capabilities: { tools: { listChanged: true } },
      requestState: { verify: context.requestState.verify },
    },
  );
  server.registerTool('whoami', { description: 'The caller as tools see it.' }, async (ctx: ServerContext) =>
    json({
      era: context.era,
      pid: process.pid,
      sessionId: ctx.sessionId ?? null,
      user: ctx.http?.req?.headers.get('x-user') ?? null,
      clientId: ctx.http?.authInfo?.clientId ?? null,
      owner: context.owner ?? null,
    }),
  );
  server.registerTool('greet', { description: 'Asks a name (input required), then greets.' }, async (ctx) => {
    const state = ctx.mcpReq.requestState<{ round: number }>();
    const answer = acceptedContent(ctx.mcpReq.inputResponses, 'name', Name);
    if (state?.round === 1 && answer) return json({ greeting: `Hello, ${answer.name}!` });
    return inputRequired({
      inputRequests: { name: inputRequired.elicit({ message: 'Your name?', requestedSchema: Name }) },
      requestState: await context.requestState.mint({ round: 1 }, ctx),
    });
  });
  server.registerTool(
    'counter',
    {
      description: 'Adds one to the counter in handle `counter` (a new one without it).',
      inputSchema: z.object({ counter: z.string().optional() }),
    },
    async ({ counter }, ctx) => {
      if (counter === undefined) return json({ count: 1, counter: await handles.create(ctx, { count: 1 }) });
      const data = await handles.get(ctx, counter);
      if (data === undefined) return { ...json({ error: 'unknown handle' }), isError: true };
      const count = Number(data.count) + 1;
      await handles.update(ctx, counter, { count });
      return json({ count, counter });
    },
  );
  server.registerTool('change_tools', { description: 'Publishes tools/list_changed.' }, async () => {
    context.notify.toolsChanged();
    return json({ published: true });
  });
  return server;
}
