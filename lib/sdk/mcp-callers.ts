import { Inject, Injectable } from '@nestjs/common';
import type { McpCallContext } from '../interfaces/mcp-server-context.interface';
import type { McpSessionOptions } from '../interfaces/mcp-session-options.interface';
import { MCP_SESSION_OPTIONS } from '../mcp-session.constants';
import { ownerOf } from '../gate/owner';

/**
 * Who is calling: a tool's context (`ctx`, whose `ctx.http.req` is the web
 * `Request` of its HTTP exchange), or the principal itself as a string
 * (`undefined` for an anonymous caller).
 */
export type McpCaller = McpCallContext | string | undefined;

/**
 * Tells the framework request and the principal behind a tool call: every
 * web `Request` that `McpSessionTransports` hands the SDK is mapped (weakly)
 * to the framework request it was made from, and `resolveOwner` turns that
 * into the principal.
 */
/** The property of a web `Request` made by `McpSessionTransports` that holds its framework request. */
const FRAMEWORK_REQUEST = Symbol('mcp-session:framework-request');

type Registered = Request & { [FRAMEWORK_REQUEST]?: object };

@Injectable()
export class McpCallers {

  constructor(@Inject(MCP_SESSION_OPTIONS) private readonly options: McpSessionOptions) {}

  /** Records that `web` was made from the framework request `request`. */
  register(web: Request, request: object): void {
    // A property of the (short-lived) Request rather than a WeakMap entry:
    // cheaper to set, and nothing for the garbage collector to track.
    (web as Registered)[FRAMEWORK_REQUEST] = request;
  }

  /** The framework request behind a tool's context, if it came through `McpSessionTransports`. */
  requestOf(ctx: McpCallContext | undefined): object | undefined {
    const web = ctx?.http?.req as Registered | undefined;
    return web?.[FRAMEWORK_REQUEST];
  }

  /** The principal `resolveOwner` gives for the framework request, if any. */
  ownerOfRequest(request: object | undefined): string | undefined {
    const { resolveOwner } = this.options;
    if (request === undefined || resolveOwner === undefined) return undefined;
    return ownerOf(resolveOwner, request);
  }

  /** The caller's principal: the string itself, or `resolveOwner` of the call's request. */
  principalOf(caller: McpCaller): string | undefined {
    if (caller === undefined || typeof caller === 'string') return caller;
    return this.ownerOfRequest(this.requestOf(caller));
  }
}
