import { type FactoryProvider, Logger } from '@nestjs/common';
import {
  type McpHttpHandler,
  type McpHttpHandlerSource,
  type McpTransport,
  type McpTransportContext,
  StreamableHttpTransport,
  type StreamableHttpTransportOptions,
} from '@rekog/mcp-nest';
import { errorMessage } from '../contract/session-store.error';
import type { McpServerContext } from '../interfaces/mcp-server-context.interface';
import type {
  McpServerFactory,
  McpSessionServer,
} from '../interfaces/mcp-session-options.interface';
import { MCP_SERVER_FACTORY } from '../mcp-session.constants';
import { McpCallers } from '../sdk/mcp-callers';
import { McpSessionTransports } from '../sdk/mcp-session.transports';
import { type FrameworkRequest, isModern, readJsonBody, sendAnswer } from './rekog-http';
import { RekogPreflight } from './rekog-preflight';
import { rawRequestOf, rekogSessionServer } from './rekog-session.server';

/**
 * Options of {@link McpSessionHttpTransport}: those of rekog's
 * `StreamableHttpTransport` that keep their meaning here, with rekog's
 * defaults. Sessions, JSON responses and DNS-rebinding lists of the 2025-era
 * leg are `McpSessionModule`'s options.
 */
export type McpSessionHttpTransportOptions = Pick<
  StreamableHttpTransportOptions,
  'security' | 'stepUpAuthorization' | 'responseMode'
>;

interface Attached {
  transports: McpSessionTransports;
  callers: McpCallers;
}

/**
 * A Streamable HTTP transport for `@rekog/mcp-nest` 2.x (give it to
 * `new McpStrategy({ transports: [...] })`) whose 2025-era sessions live in
 * `McpSessionModule`'s store: any instance serves any session, and a restart
 * loses none. MCP 2026-07-28 requests are served by rekog's own
 * `StreamableHttpTransport`, as plain rekog serves them.
 *
 * Every request first passes rekog's own checks (`security` allowlists,
 * `stepUpAuthorization`); each 2025-era request is then served by a server
 * that rekog built and bound to that HTTP request, so `ctx.getRawRequest()`,
 * guards reading `req.user`, `@ToolScopes()` and `@ToolRoles()` see the caller
 * on the instance that created the session and on any that restored it.
 *
 * Wiring: mount it with rekog's `McpHttpControllerFor(transport)` (guards on
 * that controller set `req.user`), and add {@link provider} to the providers
 * of the module that imports `McpSessionModule`.
 */
export class McpSessionHttpTransport implements McpTransport, McpHttpHandlerSource {
  /** rekog's transport kind (what `ctx.getSession().transport` reports). */
  readonly kind = 'streamable-http' as const;
  private readonly logger = new Logger(McpSessionHttpTransport.name);
  private readonly preflight: RekogPreflight;
  private readonly modern: StreamableHttpTransport;
  private readonly modernHandlers: McpHttpHandler;
  private ctx?: McpTransportContext;
  private attached?: Attached;

  constructor(options: McpSessionHttpTransportOptions = {}) {
    this.preflight = new RekogPreflight(options);
    this.modern = new StreamableHttpTransport({
      ...options,
      protocol: 'modern-only',
      mount: false,
    });
    this.modernHandlers = this.modern.httpHandlers;
  }

  /**
   * The provider that connects this transport to `McpSessionModule`: it
   * registers the server factory (`MCP_SERVER_FACTORY`) that builds rekog
   * servers for stored sessions. Add it to the providers of the module that
   * imports `McpSessionModule`.
   */
  get provider(): FactoryProvider<McpServerFactory> {
    return {
      provide: MCP_SERVER_FACTORY,
      useFactory: (transports: McpSessionTransports, callers: McpCallers) => {
        this.attached = { transports, callers };
        return { createServer: (context: McpServerContext) => this.createServer(context) };
      },
      inject: [McpSessionTransports, McpCallers],
    };
  }

  /** `POST`, `GET` and `DELETE` of the MCP endpoint, for `McpHttpControllerFor(transport)`. */
  get httpHandlers(): McpHttpHandler {
    return {
      handlePost: (req, res) => this.handle(req as FrameworkRequest, res as object),
      handleGet: (req, res) => this.handle(req as FrameworkRequest, res as object),
      handleDelete: (req, res) => this.handle(req as FrameworkRequest, res as object),
    };
  }

  /**
   * Called by `McpStrategy` when it starts.
   * @throws Error when {@link provider} is not registered in the app.
   */
  start(ctx: McpTransportContext): void {
    if (this.attached === undefined) {
      throw new Error(
        'McpSessionHttpTransport is not connected to McpSessionModule: add `transport.provider` ' +
          'to the providers of the module that imports McpSessionModule',
      );
    }
    this.ctx = ctx;
    this.modern.start(ctx);
    this.logger.log('MCP streamable-http transport ready (2025-era sessions in the session store)');
  }

  /** Called by `McpStrategy` when it closes: ends the 2026-07-28 leg's listen streams. */
  async close(): Promise<void> {
    await this.modern.close();
  }

  /** Announces a capability list change to this instance's `subscriptions/listen` streams. */
  notifyListChanged(kind: 'tools' | 'resources' | 'prompts'): void {
    this.modern.notifyListChanged(kind);
  }

  private createServer(context: McpServerContext): McpSessionServer {
    const { ctx, attached } = this.ready();
    return rekogSessionServer(ctx, context, attached.callers);
  }

  private ready(): { ctx: McpTransportContext; attached: Attached } {
    if (this.ctx === undefined || this.attached === undefined) {
      throw new Error(
        'McpSessionHttpTransport has not started: connect its McpStrategy ' +
          '(app.connectMicroservice({ strategy }), then await app.startAllMicroservices())',
      );
    }
    return { ctx: this.ctx, attached: this.attached };
  }

  private async handle(req: FrameworkRequest, res: object): Promise<void> {
    const { ctx, attached } = this.ready();
    try {
      const refused = this.preflight.hostOrigin(req.headers);
      if (refused) return sendAnswer(res, refused);
      if (req.method !== 'POST') return await attached.transports.handle(req, res);
      const body = await readJsonBody(req);
      if (isModern(req, body)) return await this.modernHandlers.handlePost(req, res);
      const challenge = this.preflight.scope(ctx, rawRequestOf(req), body);
      if (challenge) return sendAnswer(res, challenge);
      await attached.transports.handle(req, res, body);
    } catch (error) {
      this.logger.error(`MCP request failed: ${errorMessage(error)}`);
      sendAnswer(res, {
        status: 500,
        headers: {},
        body: {
          jsonrpc: '2.0',
          id: null,
          error: { code: -32603, message: 'Internal server error' },
        },
      });
    }
  }
}
