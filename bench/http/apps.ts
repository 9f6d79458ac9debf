import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import {
  Body,
  Controller,
  Injectable,
  Module,
  Post,
  Req,
  Res,
  UseInterceptors,
  type CallHandler,
  type DynamicModule,
  type ExecutionContext,
  type NestInterceptor,
  type Type,
} from '@nestjs/common';
import type { Observable } from 'rxjs';
import { McpSessionInterceptor } from '../../lib/interceptors/mcp-session.interceptor';
import { McpSessionModule } from '../../lib/mcp-session.module';
import { SessionRecord } from '../../lib/contract/session-record';
import { SessionStore } from '../../lib/contract/session-store';
import { McpController } from '../../sample/mcp.controller';
import { createEchoServer } from './echo-server';

/** A shared store requires a requestStateKey; each bench app is one process, so a random key will do. */
const BENCH_STATE_KEY = randomBytes(32);

/**
 * The baseline: the same endpoint with the session layer off, i.e. the MCP
 * SDK's own stateful Streamable HTTP transports kept in a Map of this process
 * (what an app without this module does).
 */
@Controller('mcp')
class PlainMcpController {
  private readonly transports = new Map<string, StreamableHTTPServerTransport>();

  /** Called once a session exists (the intercepted variant stores a record). */
  protected async opened(_id: string, _protocolVersion: string): Promise<void> {}

  @Post()
  async post(
    @Req() req: IncomingMessage,
    @Res() res: ServerResponse,
    @Body() body: unknown,
  ): Promise<void> {
    const id = req.headers['mcp-session-id'];
    let transport = typeof id === 'string' ? this.transports.get(id) : undefined;
    if (!transport) {
      if (id !== undefined || !isInitializeRequest(body)) {
        res.statusCode = 404;
        res.end(
          '{"jsonrpc":"2.0","error":{"code":-32001,"message":"Session not found"},"id":null}',
        );
        return;
      }
      const created = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        enableJsonResponse: true,
        onsessioninitialized: async (sid) => {
          this.transports.set(sid, created);
          await this.opened(sid, body.params.protocolVersion);
        },
      });
      transport = created;
      await createEchoServer().connect(transport);
    }
    await transport.handleRequest(req, res, body);
  }
}

/**
 * The same SDK-only endpoint with `McpSessionInterceptor` in front and a
 * record stored per session: the interceptor's own cost, isolated.
 */
@Controller('mcp')
@UseInterceptors(McpSessionInterceptor)
class InterceptedPlainMcpController extends PlainMcpController {
  constructor(private readonly store: SessionStore) {
    super();
  }

  protected override async opened(id: string, protocolVersion: string): Promise<void> {
    await this.store.create(new SessionRecord(id, protocolVersion, 30 * 60_000));
  }
}

/** An interceptor that does nothing: what Nest's interceptor machinery costs by itself. */
@Injectable()
class NoopInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle();
  }
}

/** The SDK-only endpoint behind {@link NoopInterceptor}. */
@Controller('mcp')
@UseInterceptors(NoopInterceptor)
class NoopPlainMcpController extends PlainMcpController {}

/** The module's transports behind McpSessionInterceptor (both check the session; the transports reuse the record the interceptor attached). */
@Controller('mcp')
@UseInterceptors(McpSessionInterceptor)
class SessionMcpController extends McpController {}

/** The app of each HTTP variant. */
@Module({})
export class BenchHttpModule {
  /** Session layer off: SDK transports only. */
  static plain(): DynamicModule {
    return { module: BenchHttpModule, controllers: [PlainMcpController] };
  }

  /** SDK transports as in {@link plain}, plus the interceptor over `store`. */
  static interceptorOnly(store: SessionStore): DynamicModule {
    return {
      module: BenchHttpModule,
      imports: [McpSessionModule.forRoot({ store })],
      controllers: [InterceptedPlainMcpController],
    };
  }

  /** SDK transports as in {@link plain} behind a no-op interceptor. */
  static noopInterceptor(): DynamicModule {
    return { module: BenchHttpModule, controllers: [NoopPlainMcpController] };
  }

  /** The module's transports over `store`, no interceptor: the sample's own endpoint. */
  static transportsOnly(store: SessionStore): DynamicModule {
    return BenchHttpModule.sessions(store, McpController);
  }

  /** Session layer on over `store`: the interceptor in front of the transports. */
  static withStore(store: SessionStore): DynamicModule {
    return BenchHttpModule.sessions(store, SessionMcpController);
  }

  private static sessions(store: SessionStore, controller: Type): DynamicModule {
    return {
      module: BenchHttpModule,
      imports: [
        McpSessionModule.forRoot({
          store,
          createServer: () => createEchoServer(),
          transport: { enableJsonResponse: true },
          requestStateKey: BENCH_STATE_KEY,
        }),
      ],
      controllers: [controller],
    };
  }
}
