import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnModuleInit,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { preflightRejection } from '../gate/preflight';
import { INTERNAL_ERROR, McpSessionRejection } from '../gate/mcp-session.errors';
import { McpSessionGate } from '../gate/mcp-session.gate';
import { MCP_SESSION_CLOSED, type McpSessionRequest } from '../gate/mcp-session.request';
import type { McpChangeNotifier } from '../interfaces/mcp-server-context.interface';
import type { McpSessionOptions } from '../interfaces/mcp-session-options.interface';
import { DEFAULT_CLEANUP_INTERVAL, MCP_SESSION_OPTIONS } from '../mcp-session.constants';
import type { LegacyLeg } from './legacy-leg';
import { wireLegacyLeg } from './legacy-wiring';
import { LocalSessions } from './local-sessions';
import { McpCallers } from './mcp-callers';
import { ModernLeg } from './modern-leg';
import { requestStateCodec } from './request-state';
import { loadSdk, type Sdk } from './sdk-loader';
import { errorMessage } from '../contract/session-store.error';
import { sessionMetrics } from '../metrics/mcp-session.metrics';
import { authInfoOf, busNotifier, ServerFactory } from './server-factory';
import type { SessionBusRouter } from './session-bus-router';
import { SweepSchedule } from './sweep-schedule';
import { nodeResponse, sendJsonRpcError, sendWebResponse, toWebRequest } from './web-http';

interface Legs {
  legacy: LegacyLeg;
  router: SessionBusRouter;
  modern?: ModernLeg;
}

/**
 * Serves MCP over Streamable HTTP for both protocol eras on one endpoint:
 * route your MCP controller's POST, GET and DELETE to
 * {@link McpSessionTransports.handle}. Each request is classified with the
 * SDK's own `isLegacyRequest` (SDK v2):
 *
 * - 2025-era traffic: sessions kept in the store, served by the SDK's
 *   sessionful transport and rebuilt on any instance by replaying the
 *   client's `initialize`.
 * - MCP 2026-07-28 requests: the SDK's `createMcpHandler`, one server per
 *   request, no store call; listen streams fed by the `eventBus`.
 *
 * With SDK v1 only, every request is 2025-era traffic.
 */
@Injectable()
export class McpSessionTransports implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(McpSessionTransports.name);
  private readonly sessions: LocalSessions;
  private readonly servers: ServerFactory;
  private loading?: Promise<Legs>;
  private legs?: Legs;
  private readonly schedule: SweepSchedule;

  constructor(
    private readonly gate: McpSessionGate,
    @Inject(MCP_SESSION_OPTIONS) private readonly options: McpSessionOptions,
    moduleRef: ModuleRef,
    private readonly callers: McpCallers,
  ) {
    this.sessions = new LocalSessions(options.maxLocalSessions);
    this.servers = new ServerFactory(options, moduleRef, callers, busNotifier(options.eventBus));
    this.schedule = new SweepSchedule(
      () => this.sweep(),
      options.cleanupInterval || DEFAULT_CLEANUP_INTERVAL,
      () => this.sessions.nextExpiry(),
    );
  }

  /** How many 2025-era sessions have a live transport in this process. */
  get size(): number {
    return this.sessions.size;
  }

  /** Publishes list-changed and resource-updated events to the listen streams of every instance. */
  get notify(): McpChangeNotifier {
    return this.servers.notify;
  }

  /**
   * Loads the SDK when a server factory is configured, and refuses to boot
   * when SDK v2 would sign `requestState` with a per-process key while the
   * store is shared between processes.
   */
  async onModuleInit(): Promise<void> {
    if (!this.servers.configured) return;
    const { modern } = await this.load();
    if (modern && this.options.sharedStore && this.options.requestStateKey === undefined) {
      throw new Error(
        'McpSessionModule: option "requestStateKey" is required with a shared session store: ' +
          'give every instance the same key of at least 32 bytes (for example from configuration), ' +
          'so that a multi-round request started on one instance continues on another',
      );
    }
  }

  /**
   * Serves one MCP request (POST, GET or DELETE) from an Express
   * `(req, res)` or a Fastify `(request, reply)`; `body` is the parsed JSON
   * body (`@Body()`). Never rejects: failures become JSON-RPC error answers
   * (400, 403, 404, 503; 500 without details for anything unexpected, logged).
   */
  async handle(request: object, response: object, body?: unknown): Promise<void> {
    const res = nodeResponse(response);
    const req = request as McpSessionRequest;
    // DELETE is the transports' to carry out (onsessionclosed), whatever it answers.
    if (req.method === 'DELETE') req[MCP_SESSION_CLOSED] = true;
    try {
      const rejected = preflightRejection(req, this.options.transport);
      if (rejected) throw rejected;
      const legs = this.legs ?? (await this.load());
      const web = toWebRequest(req);
      this.callers.register(web, req);
      const authInfo = authInfoOf(this.options, req);
      if (legs.modern !== undefined) {
        const legacy = legs.modern.isLegacy(web, body);
        if (!(typeof legacy === 'boolean' ? legacy : await legacy)) {
          return await sendWebResponse(await legs.modern.fetch(web, body, authInfo), res);
        }
      }
      const owner = () => this.callers.ownerOfRequest(req);
      await legs.legacy.handle({ req, res, web, body, authInfo, owner });
    } catch (error) {
      // A 404 leaves any local transport alone: it may be another owner's
      // request for a live session. The sweep closes transports of ended ones.
      if (error instanceof McpSessionRejection) {
        sessionMetrics.rejected(error.status);
        return sendJsonRpcError(res, error.status, error.body, error.headers);
      }
      this.logger.error(`MCP request failed: ${errorMessage(error)}`);
      sendJsonRpcError(res, INTERNAL_ERROR.status, INTERNAL_ERROR.body);
    }
  }

  /**
   * Closes the transports whose session has expired or was ended elsewhere
   * (the store no longer has it); only sessions past their last known expiry
   * are looked up. Runs every `cleanupInterval` (every minute when that is
   * off) once this process holds transports, and right after the earliest
   * known expiry of a local session; stored records are not touched.
   * @returns how many transports were closed.
   */
  async sweep(): Promise<number> {
    return this.legs ? this.legs.legacy.sweep() : 0;
  }

  /** Closes every local transport and listen stream; stored sessions stay. */
  async beforeApplicationShutdown(): Promise<void> {
    this.schedule.stop();
    const legs = await this.loading?.catch(() => undefined);
    legs?.router.stop();
    await Promise.all([legs?.legacy.closeAll(), legs?.modern?.close()]);
  }

  private load(): Promise<Legs> {
    this.loading ??= loadSdk().then(
      (sdk) => (this.legs = this.build(sdk)),
      (error: unknown) => {
        this.loading = undefined;
        throw error;
      },
    );
    return this.loading;
  }

  private build(sdk: Sdk): Legs {
    const servers = this.servers;
    servers.requestState = requestStateCodec(sdk.modern, this.options.requestStateKey, (ctx) =>
      this.callers.principalOf(ctx),
    );
    const { legacy, router } = wireLegacyLeg(
      sdk,
      this.gate,
      this.options,
      servers,
      this.sessions,
      this.logger,
      () => this.schedule.start(),
      (at) => this.schedule.expiring(at),
    );
    if (sdk.modern === undefined) return { legacy, router };
    const onerror = (error: Error) =>
      this.logger.debug?.(`MCP 2026-07-28 request: ${error.message}`);
    const modern = new ModernLeg(sdk.modern, servers, this.callers, this.options.eventBus, onerror);
    return { legacy, router, modern };
  }
}
