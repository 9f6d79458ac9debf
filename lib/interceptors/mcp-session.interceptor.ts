import {
  type CallHandler,
  type ExecutionContext,
  Inject,
  Injectable,
  Logger,
  type NestInterceptor,
} from '@nestjs/common';
import { concatMap, type Observable } from 'rxjs';
import type { McpSessionOptions } from '../interfaces/mcp-session-options.interface';
import { MCP_SESSION_OPTIONS } from '../mcp-session.constants';
import { errorMessage, shortId } from '../contract/session-store.error';
import { McpSessionRejection, STORE_UNAVAILABLE } from '../gate/mcp-session.errors';
import { McpSessionGate } from '../gate/mcp-session.gate';
import { hostOriginRejection } from '../gate/host-origin';
import { MCP_SESSION_CLOSED, type McpSessionRequest } from '../gate/mcp-session.request';
import { isModernRequest } from '../sdk/era';
import { storeCall } from '../health/store-call';
import { storeOutage } from '../health/store-outage';
import { sessionMetrics } from '../metrics/mcp-session.metrics';

function toHttp(error: unknown): unknown {
  if (!(error instanceof McpSessionRejection)) return error;
  sessionMetrics.rejected(error.status);
  return error.toHttpException();
}

/** Sets the headers of a rejection (`Retry-After`) on an Express response or a Fastify reply. */
function withHeaders(error: unknown, response: object): unknown {
  if (error instanceof McpSessionRejection) {
    const reply = response as { header?: (name: string, value: string) => void };
    for (const [name, value] of Object.entries(error.headers)) reply.header?.(name, value);
  }
  return toHttp(error);
}

/**
 * Answers the MCP session status codes for every request it sees:
 * - no `mcp-session-id` header: passes through untouched;
 * - an MCP 2026-07-28 request (by the SDK v2's `isLegacyRequest`): passes
 *   through untouched, a stray session header included (the spec says to
 *   ignore it);
 * - malformed or repeated header: 400 (store not consulted);
 * - a foreign `Origin` (or `Host`, with DNS-rebinding protection): 403, the
 *   store not consulted (the same check as `McpSessionTransports`);
 * - unknown, expired or another owner's session, or a stored value that
 *   cannot be read: 404 `Session not found`;
 * - store failure, or its breaker open: 503 with `Retry-After` (an outage
 *   logged once);
 * - live session: extends it, attaches the record (`@McpSession()`), runs the
 *   handler; on DELETE, deletes the record after the handler succeeded.
 *
 * All error answers are JSON-RPC error bodies. Use it with
 * `@UseInterceptors(McpSessionInterceptor)` or the module's
 * `globalInterceptor` extra.
 */
@Injectable()
export class McpSessionInterceptor implements NestInterceptor {
  private readonly logger = new Logger(McpSessionInterceptor.name);

  constructor(
    private readonly gate: McpSessionGate,
    @Inject(MCP_SESSION_OPTIONS) private readonly options: McpSessionOptions,
  ) {}

  intercept(
    context: ExecutionContext,
    next: CallHandler,
  ): Observable<unknown> | Promise<Observable<unknown>> {
    const http = context.switchToHttp();
    const request = http.getRequest<McpSessionRequest>();
    let id: string | undefined;
    try {
      id = this.gate.sessionId(request);
    } catch (error) {
      throw toHttp(error);
    }
    // No session id: nothing to check, and nothing allocated on the way.
    if (id === undefined) return next.handle();
    return this.open(request, http.getResponse<object>(), id, next);
  }

  /** MCP 2026-07-28 requests have no session: a stray header is ignored (spec). */
  private async modern(request: McpSessionRequest): Promise<boolean> {
    return isModernRequest(request, (request as { body?: unknown }).body);
  }

  private async open(
    request: McpSessionRequest,
    response: object,
    id: string,
    next: CallHandler,
  ): Promise<Observable<unknown>> {
    if (await this.modern(request)) return next.handle();
    try {
      // A refused request must not even extend the session it names.
      const refused = hostOriginRejection(request, this.options.transport);
      if (refused) throw refused;
      await this.gate.open(request, id);
    } catch (error) {
      throw withHeaders(error, response);
    }
    if (request.method !== 'DELETE') return next.handle();
    return next.handle().pipe(concatMap((value) => this.closeAfter(request, response, id, value)));
  }

  private async closeAfter<T>(
    request: McpSessionRequest,
    response: object,
    id: string,
    value: T,
  ): Promise<T> {
    // McpSessionTransports handled it: onsessionclosed deletes the record.
    if (request[MCP_SESSION_CLOSED]) return value;
    const { store } = this.options;
    try {
      await storeCall(store, 'delete', () => store.delete(id), id);
    } catch (error) {
      if (!storeOutage(store).refused(error, id)) {
        this.logger.error(`Could not delete session ${shortId(id)}: ${errorMessage(error)}`);
      }
      throw withHeaders(STORE_UNAVAILABLE, response);
    }
    sessionMetrics.deleted();
    return value;
  }
}
