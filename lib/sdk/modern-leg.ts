import type { McpAuthInfo } from '../interfaces/mcp-server-context.interface';
import type { McpServerEventBus } from '../interfaces/server-event-bus.interface';
import { knownLegacy } from './era';
import type { McpCallers } from './mcp-callers';
import type { ModernSdk } from './sdk-loader';
import type { ServerFactory } from './server-factory';

type Handler = ReturnType<ModernSdk['createMcpHandler']>;

/**
 * Serves MCP 2026-07-28 requests with the SDK's `createMcpHandler`: one
 * server per request from the application's factory, no session and no store
 * call; `subscriptions/listen` streams fed by the shared event bus. Legacy
 * traffic never reaches it (`legacy: 'reject'`).
 */
export class ModernLeg {
  private readonly handler: Handler;

  constructor(
    private readonly sdk: ModernSdk,
    servers: ServerFactory,
    callers: McpCallers,
    bus: McpServerEventBus,
    onerror: (error: Error) => void,
  ) {
    this.handler = sdk.createMcpHandler(
      async (context) => {
        const request =
          context.requestInfo && callers.requestOf({ http: { req: context.requestInfo } });
        if (request === undefined) throw new Error('modern request without its framework request');
        return (await servers.create('modern', request)) as never;
      },
      { legacy: 'reject', bus: bus as never, onerror },
    );
  }

  /**
   * Whether the SDK would serve this request as 2025-era traffic: decided
   * here when certain ({@link knownLegacy}), else by the SDK's
   * `isLegacyRequest`. `createMcpHandler` classifies a modern request once
   * more; this keeps the first classification off the SDK's slow path.
   */
  isLegacy(web: Request, body: unknown): boolean | Promise<boolean> {
    return (
      knownLegacy(web.method, web.headers.get('mcp-protocol-version'), body) ??
      this.sdk.isLegacyRequest(web, body)
    );
  }

  /** Serves one modern request. */
  fetch(web: Request, body: unknown, authInfo: McpAuthInfo | undefined): Promise<Response> {
    return this.handler.fetch(web, { parsedBody: body, authInfo: authInfo as never });
  }

  /** Ends open listen streams and in-flight modern exchanges. */
  close(): Promise<void> {
    return this.handler.close();
  }
}
