import {
  localhostAllowedHostnames,
  localhostAllowedOrigins,
  validateHostHeader,
  validateOriginHeader,
} from '@modelcontextprotocol/server';
import {
  describeRequirement,
  MCP_RESOURCE_METADATA_URL,
  type McpStepUpAuthorizationOptions,
  type McpTransportContext,
  type McpTransportSecurityOptions,
} from '@rekog/mcp-nest';

/** An HTTP answer written before the SDK sees the request. */
export interface PreflightAnswer {
  status: number;
  headers: Record<string, string>;
  body: { jsonrpc: '2.0'; id: unknown; error: { code: number; message: string } };
}

type Headers = Record<string, string | string[] | undefined>;

function first(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function allowlist(option: string[] | 'localhost' | undefined, localhost: () => string[]) {
  if (option === undefined) return undefined;
  return option === 'localhost' ? localhost() : option;
}

/** An RFC 6750 quoted-string value. */
function quote(value: string): string {
  return value.replace(/[\\"]/g, '\\$&');
}

/**
 * The checks `@rekog/mcp-nest`'s `StreamableHttpTransport` runs before the
 * SDK sees a request, with its options and its answers, built from the public
 * parts both packages export (the SDK's header validators, rekog's
 * `toolCallScopeDeficiency`, `describeRequirement` and
 * `MCP_RESOURCE_METADATA_URL`):
 *
 * - `security`: `Origin` and `Host` allowlists (DNS-rebinding protection),
 *   403 on every verb before the body is read;
 * - `stepUpAuthorization`: a `tools/call` denied only for lack of OAuth scope
 *   is answered 403 with `WWW-Authenticate: Bearer error="insufficient_scope"`.
 */
export class RekogPreflight {
  private readonly origins?: string[];
  private readonly hosts?: string[];
  private readonly stepUp?: McpStepUpAuthorizationOptions;

  constructor(options: {
    security?: McpTransportSecurityOptions;
    stepUpAuthorization?: boolean | McpStepUpAuthorizationOptions;
  }) {
    this.origins = allowlist(options.security?.allowedOrigins, localhostAllowedOrigins);
    this.hosts = allowlist(options.security?.allowedHosts, localhostAllowedHostnames);
    const stepUp = options.stepUpAuthorization;
    this.stepUp = stepUp === true ? {} : stepUp || undefined;
  }

  /** The 403 for a refused `Origin` or `Host`, or `undefined` when the request may go on. */
  hostOrigin(headers: Headers): PreflightAnswer | undefined {
    const deny = (message: string): PreflightAnswer => ({
      status: 403,
      headers: {},
      body: { jsonrpc: '2.0', error: { code: -32000, message }, id: null },
    });
    if (this.origins) {
      const result = validateOriginHeader(first(headers, 'origin'), this.origins);
      if (!result.ok) return deny(result.message);
    }
    if (this.hosts) {
      const result = validateHostHeader(first(headers, 'host'), this.hosts);
      if (!result.ok) return deny(result.message);
    }
    return undefined;
  }

  /**
   * The step-up challenge for a single `tools/call` that `rawRequest`'s user
   * may not make for lack of scope, or `undefined` (feature off, a batch,
   * another method, an unknown tool, no user, a role failure).
   */
  scope(ctx: McpTransportContext, rawRequest: unknown, body: unknown): PreflightAnswer | undefined {
    if (!this.stepUp) return undefined;
    const call = body as { method?: unknown; id?: unknown; params?: { name?: unknown } } | null;
    if (!call || typeof call !== 'object' || Array.isArray(call)) return undefined;
    if (call.method !== 'tools/call' || typeof call.params?.name !== 'string') return undefined;
    const name = call.params.name;
    const deficiency = ctx.toolCallScopeDeficiency(name, rawRequest);
    if (!deficiency) return undefined;
    const message = describeRequirement(
      name,
      'scopes',
      deficiency.requiredScopes,
      deficiency.match,
    );
    const published = (rawRequest as Record<symbol, unknown> | undefined)?.[
      MCP_RESOURCE_METADATA_URL
    ];
    const metadata =
      this.stepUp.resourceMetadataUrl ?? (typeof published === 'string' ? published : undefined);
    const params = [
      'error="insufficient_scope"',
      `error_description="${quote(message)}"`,
      `scope="${quote(deficiency.requiredScopes.join(' '))}"`,
    ];
    if (metadata) params.push(`resource_metadata="${quote(metadata)}"`);
    return {
      status: 403,
      headers: { 'www-authenticate': `Bearer ${params.join(', ')}` },
      body: { jsonrpc: '2.0', id: call.id ?? null, error: { code: -32600, message } },
    };
  }
}
