import { HttpException, HttpStatus } from '@nestjs/common';

/** A JSON-RPC error response body, as MCP servers answer HTTP-level failures. */
export interface JsonRpcErrorBody {
  jsonrpc: '2.0';
  error: { code: number; message: string };
  id: null;
}

function body(code: number, message: string): JsonRpcErrorBody {
  return Object.freeze({
    jsonrpc: '2.0',
    error: Object.freeze({ code, message }),
    id: null,
  }) as JsonRpcErrorBody;
}

/**
 * An HTTP status with its JSON-RPC error body. Thrown by the session gate;
 * the interceptor turns it into an `HttpException`, `McpSessionTransports`
 * writes it to the response.
 */
export class McpSessionRejection extends Error {
  override readonly name = 'McpSessionRejection';

  constructor(
    /** HTTP status code: 400, 404 or 503. */
    readonly status: number,
    /** The JSON-RPC error body to send. */
    readonly body: JsonRpcErrorBody,
  ) {
    super(body.error.message);
  }

  /** The same answer as an `HttpException`, whose body Nest sends as it is. */
  toHttpException(): HttpException {
    return new HttpException(this.body, this.status);
  }
}

/** 400: the `mcp-session-id` header is not 1-255 visible ASCII characters, or is repeated. */
export const MALFORMED_SESSION_ID = new McpSessionRejection(
  HttpStatus.BAD_REQUEST,
  body(-32000, 'Bad Request: malformed Mcp-Session-Id header'),
);

/** 404: unknown, expired, ended, or another owner's session (the MCP transport spec's answer). */
export const SESSION_NOT_FOUND = new McpSessionRejection(
  HttpStatus.NOT_FOUND,
  body(-32001, 'Session not found'),
);

/** 503: the session store failed or did not answer. */
export const STORE_UNAVAILABLE = new McpSessionRejection(
  HttpStatus.SERVICE_UNAVAILABLE,
  body(-32000, 'Service Unavailable: session store unavailable'),
);

/** 400: a request other than `initialize` without a session id. */
export const SESSION_ID_REQUIRED = new McpSessionRejection(
  HttpStatus.BAD_REQUEST,
  body(-32000, 'Bad Request: Mcp-Session-Id header is required'),
);

/** 500 without details: something unexpected failed (logged where it happened). */
export const INTERNAL_ERROR = new McpSessionRejection(
  HttpStatus.INTERNAL_SERVER_ERROR,
  body(-32603, 'Internal error'),
);

/** 403: the request's `Host` or `Origin` is not allowed (the SDK transports' own answer). */
export function forbiddenHeader(name: 'Host' | 'Origin', value: string | undefined): McpSessionRejection {
  return new McpSessionRejection(
    HttpStatus.FORBIDDEN,
    body(-32000, `Invalid ${name} header: ${String(value)}`),
  );
}
