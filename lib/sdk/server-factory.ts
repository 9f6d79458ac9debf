import type { ModuleRef } from '@nestjs/core';
import type { SessionRecord } from '../contract/session-record';
import type { McpServerEvent, McpServerEventBus } from '../interfaces/server-event-bus.interface';
import type {
  McpChangeNotifier,
  McpRequestStateCodec,
  McpServerContext,
} from '../interfaces/mcp-server-context.interface';
import type {
  McpServerFactory,
  McpSessionOptions,
  McpSessionServer,
  McpSessionServerFactory,
} from '../interfaces/mcp-session-options.interface';
import { MCP_SERVER_FACTORY } from '../mcp-session.constants';
import type { McpCallers } from './mcp-callers';

/** A notifier that publishes each change onto `bus`. */
export function busNotifier(bus: McpServerEventBus): McpChangeNotifier {
  const publish = (event: McpServerEvent) => bus.publish(event);
  return {
    toolsChanged: () => publish({ kind: 'tools_list_changed' }),
    promptsChanged: () => publish({ kind: 'prompts_list_changed' }),
    resourcesChanged: () => publish({ kind: 'resources_list_changed' }),
    resourceUpdated: (uri) => publish({ kind: 'resource_updated', uri }),
  };
}

/**
 * The application's server factory (the `createServer` option, else an
 * `MCP_SERVER_FACTORY` provider), called with the context of each era.
 */
export class ServerFactory {
  private factory?: McpSessionServerFactory;

  constructor(
    private readonly options: McpSessionOptions,
    private readonly moduleRef: ModuleRef,
    private readonly callers: McpCallers,
    readonly notify: McpChangeNotifier,
  ) {}

  /** The codec handed to factories; set once the SDK is loaded. */
  requestState: McpRequestStateCodec = {
    mint: () => Promise.reject(new Error('the MCP SDK is not loaded yet')),
    verify: () => Promise.reject(new Error('the MCP SDK is not loaded yet')),
  };

  /** Whether the application configured a server factory. */
  get configured(): boolean {
    return this.find() !== undefined;
  }

  /**
   * A fresh server for `era`, built for the framework `request` (and the
   * session `record` in the legacy era).
   * @throws Error naming both ways to configure a factory when there is none.
   */
  create(
    era: 'legacy' | 'modern',
    request: object,
    record?: SessionRecord,
  ): Promise<McpSessionServer> {
    const factory = this.find();
    if (factory === undefined) {
      throw new Error(
        'McpSessionTransports needs a server factory: the McpSessionModule option "createServer", ' +
          'or a provider registered as MCP_SERVER_FACTORY',
      );
    }
    const context: McpServerContext = {
      era,
      request,
      requestState: this.requestState,
      notify: this.notify,
    };
    if (record !== undefined) context.record = record;
    const owner = this.callers.ownerOfRequest(request);
    if (owner !== undefined) context.owner = owner;
    const authInfo = authInfoOf(this.options, request);
    if (authInfo !== undefined) context.authInfo = authInfo;
    return Promise.resolve(factory(context));
  }

  private find(): McpSessionServerFactory | undefined {
    if (this.factory) return this.factory;
    if (this.options.createServer) return (this.factory = this.options.createServer);
    let provider: McpServerFactory | undefined;
    try {
      provider = this.moduleRef.get<McpServerFactory>(MCP_SERVER_FACTORY, { strict: false });
    } catch {
      return undefined;
    }
    if (typeof provider?.createServer !== 'function') return undefined;
    const found = provider;
    return (this.factory = (context) => found.createServer(context));
  }
}

/** The `authInfo` of a framework request: `resolveAuthInfo`, else its `auth` property. */
export function authInfoOf(
  options: McpSessionOptions,
  request: object,
): McpServerContext['authInfo'] | undefined {
  if (options.resolveAuthInfo) return options.resolveAuthInfo(request as never) ?? undefined;
  const auth = (request as { auth?: unknown }).auth;
  return auth !== null && typeof auth === 'object'
    ? (auth as McpServerContext['authInfo'])
    : undefined;
}
