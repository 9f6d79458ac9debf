import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';

/** The principal rekog's per-tool checks read on `req.user`. */
export interface DemoUser {
  sub: string;
  /** OAuth scopes, space-separated (what `@ToolScopes()` checks). */
  scope: string;
}

/**
 * A stand-in for your authentication guard (`McpAuthJwtGuard` of
 * `@rekog/mcp-nest-auth`, or your own): `Authorization: Bearer <user>;<scopes>`
 * puts `{ sub, scope }` on `req.user`; no token, no user. Demo only: it
 * believes whatever the token says.
 */
@Injectable()
export class DemoBearerGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<{
      headers: Record<string, string | string[] | undefined>;
      user?: DemoUser;
      raw?: { user?: DemoUser };
    }>();
    const header = req.headers.authorization;
    const token = typeof header === 'string' ? /^Bearer (.+)$/.exec(header)?.[1] : undefined;
    if (token === undefined) return true;
    const [sub, scope = ''] = token.split(';');
    req.user = { sub, scope };
    // On Fastify, rekog hands tools the Node request under the Fastify one.
    if (req.raw) req.raw.user = req.user;
    return true;
  }
}
