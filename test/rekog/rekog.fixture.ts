import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  UseGuards,
} from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { McpController, type McpContext, Tool, ToolScopes } from '@rekog/mcp-nest';
import { z } from 'zod';

/** The DI token of an instance's name (both instances of a spec share one process). */
export const INSTANCE_NAME = 'REKOG_SPEC_INSTANCE';

/** The principal the HTTP guard puts on `req.user`. */
export interface SpecUser {
  sub: string;
  scope: string;
  admin: boolean;
}

/** An HTTP request as rekog's handlers see it (`ctx.getRawRequest()`). */
export interface SpecRequest {
  headers: Record<string, string | string[] | undefined>;
  user?: SpecUser;
}

/**
 * `Authorization: Bearer <sub>;<space-separated scopes>[;admin]`, as an
 * authentication guard on the MCP controller would resolve a real token:
 * puts the principal on `req.user`; requests without a token stay anonymous.
 */
export function bearer(sub: string, scopes: string[] = [], admin = false): string {
  return `Bearer ${[sub, scopes.join(' '), ...(admin ? ['admin'] : [])].join(';')}`;
}

/** The HTTP guard of the MCP controller (runs in Nest's HTTP pipeline, once per HTTP request). */
@Injectable()
export class BearerGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<SpecRequest & { raw?: SpecRequest }>();
    const header = req.headers.authorization;
    if (typeof header !== 'string' || !header.startsWith('Bearer ')) return true;
    const [sub, scope = '', flag] = header.slice('Bearer '.length).split(';');
    const user: SpecUser = { sub, scope, admin: flag === 'admin' };
    req.user = user;
    // On Fastify rekog hands tools the Node request under the Fastify one.
    if (req.raw) req.raw.user = user;
    return true;
  }
}

/** An RPC guard on a tool (runs in rekog's pipeline, per call): reads `req.user` from the raw request. */
@Injectable()
export class AdminGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToRpc().getContext<McpContext>().getRawRequest<SpecRequest>();
    return req?.user?.admin === true;
  }
}

function json(value: unknown) {
  return { content: [{ type: 'text' as const, text: JSON.stringify(value) }] };
}

/** The tools of the rekog specs. */
@McpController()
export class SpecTools {
  constructor(@Inject(INSTANCE_NAME) private readonly instance: string) {}

  @Tool({ name: 'whoami', description: 'The HTTP request and session this call sees.' })
  whoami(@Payload() _args: unknown, @Ctx() ctx: McpContext) {
    const req = ctx.getRawRequest<SpecRequest>();
    const session = ctx.getSession();
    return json({
      instance: this.instance,
      seq: req?.headers['x-seq'] ?? null,
      user: req?.user?.sub ?? null,
      era: session.era,
      sessionId: session.sessionId ?? null,
    });
  }

  @Tool({ name: 'admin_report', description: 'Only for admins (an RPC guard reads req.user).' })
  @UseGuards(AdminGuard)
  adminReport(@Payload() _args: unknown, @Ctx() ctx: McpContext) {
    return json({ instance: this.instance, report: 'ok', era: ctx.getSession().era });
  }

  @Tool({
    name: 'write_note',
    description: 'Needs the notes:write scope.',
    parameters: z.object({ text: z.string() }),
  })
  @ToolScopes(['notes:write'])
  writeNote(@Payload() { text }: { text: string }) {
    return json({ instance: this.instance, written: text });
  }
}
