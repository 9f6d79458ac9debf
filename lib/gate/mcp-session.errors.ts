import { HttpException, HttpStatus } from '@nestjs/common';

/** A JSON-RPC error response body, as MCP servers answer HTTP-level failures. */
export interface JsonRpcErrorBody {
  jsonrpc: '2.0';
  error: { code: number; message: string };
  id: null;
}

const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

/** Headers of an answer the client should retry after `seconds`. */
export function retryAfter(seconds: number): Readonly<Record<string, string>> {
  return Object.freeze({ 'retry-after': String(Math.max(1, Math.ceil(seconds))) });
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
    /** HTTP status code: 400, 403, 404, 415, 429, 500 or 503. */
    readonly status: number,
    /** The JSON-RPC error body to send. */
    readonly body: JsonRpcErrorBody,
    /** Headers to send with it (`retry-after` on 429 and 503), names in lower case. */
    readonly headers: Readonly<Record<string, string>> = NO_HEADERS,
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

/** 503 with `Retry-After: 1`: the session store failed or did not answer (or its breaker is open). */
export const STORE_UNAVAILABLE = new McpSessionRejection(
  HttpStatus.SERVICE_UNAVAILABLE,
  body(-32000, 'Service Unavailable: session store unavailable'),
  retryAfter(1),
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
export function forbiddenHeader(
  name: 'Host' | 'Origin',
  value: string | undefined,
): McpSessionRejection {
  return new McpSessionRejection(
    HttpStatus.FORBIDDEN,
    body(-32000, `Invalid ${name} header: ${String(value)}`),
  );
}

/** 415: a POST whose `Content-Type` is not `application/json` (the SDK transports' own answer). */
export const UNSUPPORTED_MEDIA_TYPE = new McpSessionRejection(
  HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  body(-32000, 'Unsupported Media Type: Content-Type must be application/json'),
);

/** 400 with JSON-RPC -32700: a body that is not valid JSON (the SDK transports' own answer). */
export const PARSE_ERROR = new McpSessionRejection(
  HttpStatus.BAD_REQUEST,
  body(-32700, 'Parse error: Invalid JSON'),
);

/** 409: the session record changed under a write and the retries ran out; the request may be repeated. */
export const SESSION_CONFLICT = new McpSessionRejection(
  HttpStatus.CONFLICT,
  body(-32000, 'Conflict: the session changed meanwhile, try again'),
);

/**
 * 400 with JSON-RPC -32602: the client's `initialize` (or a change it asked
 * for) cannot be stored, for example a record over `maxRecordBytes`.
 */
export function recordRefused(detail: string): McpSessionRejection {
  return new McpSessionRejection(
    HttpStatus.BAD_REQUEST,
    body(-32602, `Invalid params: the session cannot be stored (${detail})`),
  );
}

/**
 * A new session refused by `sessionLimits`: 429 when the caller's own
 * sessions reached `perOwner`, 503 when the store reached `total`; both with
 * `Retry-After`.
 */
export function sessionLimitReached(
  scope: 'owner' | 'total',
  retryAfterSeconds: number,
): McpSessionRejection {
  return scope === 'owner'
    ? new McpSessionRejection(
        HttpStatus.TOO_MANY_REQUESTS,
        body(-32000, 'Too Many Requests: too many live sessions for this client'),
        retryAfter(retryAfterSeconds),
      )
    : new McpSessionRejection(
        HttpStatus.SERVICE_UNAVAILABLE,
        body(-32000, 'Service Unavailable: the server holds as many sessions as it may'),
        retryAfter(retryAfterSeconds),
      );
}
