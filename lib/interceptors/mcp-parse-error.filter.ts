import { type ArgumentsHost, Catch, HttpException, HttpStatus } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { PARSE_ERROR } from '../gate/mcp-session.errors';
import { isJsonContentType } from '../gate/preflight';

type Headers = Record<string, string | string[] | undefined>;

/** The message of an exception Nest made of a body parser's failure (Express or Fastify). */
function messageOf(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  return typeof message === 'string' ? message : '';
}

/**
 * Answers a POST from an MCP client (it accepts `text/event-stream`) whose
 * JSON body did not parse with the SDK transports' own answer, 400 with
 * JSON-RPC `-32700 Parse error`, instead of Nest's error body; every other
 * exception goes on to Nest's default handling. The body parser fails before
 * any route is chosen, so only a global filter sees it:
 * `app.useGlobalFilters(new McpParseErrorFilter(app.get(HttpAdapterHost).httpAdapter))`,
 * or `{ provide: APP_FILTER, useClass: McpParseErrorFilter }`.
 */
@Catch()
export class McpParseErrorFilter extends BaseExceptionFilter {
  override catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<{ method?: string; headers?: Headers }>();
    if (!isParseError(exception, request)) return super.catch(exception, host);
    const reply = http.getResponse<{
      status?: (code: number) => unknown;
      code?: (code: number) => unknown;
      header?: (name: string, value: string) => unknown;
      send?: (body: string) => unknown;
    }>();
    const body = JSON.stringify(PARSE_ERROR.body);
    // Express: status().send(); Fastify: code().send(); both have header().
    reply.header?.('content-type', 'application/json');
    if (typeof reply.code === 'function') reply.code(PARSE_ERROR.status);
    else reply.status?.(PARSE_ERROR.status);
    reply.send?.(body);
  }
}

function isParseError(
  exception: unknown,
  request: { method?: string; headers?: Headers },
): boolean {
  if (!(exception instanceof HttpException) || exception.getStatus() !== HttpStatus.BAD_REQUEST)
    return false;
  const headers = request.headers ?? {};
  const accept = headers.accept;
  return (
    request.method === 'POST' &&
    isJsonContentType(headers['content-type']) &&
    typeof accept === 'string' &&
    accept.includes('text/event-stream') &&
    /JSON/.test(messageOf(exception))
  );
}
