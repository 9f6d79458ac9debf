import { Ctx, Payload } from '@nestjs/microservices';
import { McpController, type McpContext, Tool, ToolScopes } from '@rekog/mcp-nest';
import { SessionStore, updateRecord } from '../../lib';
import { z } from 'zod';
import type { DemoUser } from './bearer.guard';

function text(value: unknown, isError = false) {
  return { content: [{ type: 'text' as const, text: JSON.stringify(value) }], isError };
}

/** The sample's rekog tools: who is calling, and notes kept in the caller's session. */
@McpController()
export class NotesTools {
  constructor(private readonly sessions: SessionStore) {}

  @Tool({ name: 'whoami', description: 'Who is calling, and which process serves the call.' })
  whoami(@Payload() _args: unknown, @Ctx() ctx: McpContext) {
    const req = ctx.getRawRequest<{ user?: DemoUser }>();
    const { era, sessionId } = ctx.getSession();
    return text({
      user: req?.user?.sub ?? null,
      era,
      sessionId: sessionId ?? null,
      pid: process.pid,
    });
  }

  @Tool({
    name: 'add_note',
    description: "Adds a note to the caller's session (needs the notes:write scope).",
    parameters: z.object({ text: z.string() }),
  })
  @ToolScopes(['notes:write'])
  async addNote(@Payload() args: { text: string }, @Ctx() ctx: McpContext) {
    const id = ctx.getSession().sessionId;
    // One atomic read-change-write: concurrent calls, on any instance, lose no note.
    const record =
      id === undefined
        ? undefined
        : await updateRecord(this.sessions, id, (session) => {
            const notes = (session.data?.notes as string[] | undefined) ?? [];
            session.data = { ...session.data, notes: [...notes, args.text] };
          });
    if (record === undefined) {
      return text({ error: 'MCP 2026-07-28 clients have no session' }, true);
    }
    return text({ notes: record.data?.notes });
  }

  @Tool({ name: 'notes', description: "The notes of the caller's session." })
  async notes(@Payload() _args: unknown, @Ctx() ctx: McpContext) {
    const id = ctx.getSession().sessionId;
    const record = id === undefined ? undefined : await this.sessions.load(id);
    return text({ notes: record?.data?.notes ?? [] });
  }
}
