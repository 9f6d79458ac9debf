import { loadSdk } from './sdk-loader';
import { nodeRequest, toWebRequest } from './web-http';

/** The `_meta` key of a 2026-07-28 per-request envelope claim (the SDK's `PROTOCOL_VERSION_META_KEY`). */
const PROTOCOL_VERSION_META_KEY = 'io.modelcontextprotocol/protocolVersion';
/** The SDK's `RELATED_TASK_META_KEY`, a `_meta` key it validates on 2025-era requests. */
const RELATED_TASK_META_KEY = 'io.modelcontextprotocol/related-task';
/** Protocol revisions from this one on are modern (the SDK compares strings too). */
const FIRST_MODERN_PROTOCOL_VERSION = '2026-07-28';

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

const isEnumerable = (value: object, key: string) =>
  Object.prototype.propertyIsEnumerable.call(value, key);

/** A JSON-RPC id (or progress token) as the SDK's schema takes it: a string or a safe integer. */
const isIdLike = (value: unknown) => typeof value === 'string' || Number.isSafeInteger(value);

/** RFC 9110 optional whitespace (space, tab) stripped from both ends, as the SDK does. */
function stripOws(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && (value.charCodeAt(start) === 32 || value.charCodeAt(start) === 9)) start++;
  while (end > start && (value.charCodeAt(end - 1) === 32 || value.charCodeAt(end - 1) === 9))
    end--;
  return value.slice(start, end);
}

/**
 * Whether `body` passes the SDK's strict `JSONRPCRequestSchema` or
 * `JSONRPCNotificationSchema` with `params` carrying no envelope claim;
 * `false` also when unsure (a `_meta` key this check does not know).
 */
function isPlainRpcMessage(body: Record<string, unknown>): boolean {
  if (body.jsonrpc !== '2.0') return false;
  // Strict schemas: any other key (for...in, as zod iterates) fails both.
  for (const key in body) {
    if (key === 'id') {
      if (!isIdLike(body.id)) return false;
    } else if (key !== 'jsonrpc' && key !== 'method' && key !== 'params') return false;
  }
  const params = body.params;
  if (params === undefined) return true;
  if (!isPlainObject(params)) return false;
  const meta = params._meta;
  if (meta === undefined) return true;
  if (!isPlainObject(meta) || meta[RELATED_TASK_META_KEY] !== undefined) return false;
  return meta.progressToken === undefined || isIdLike(meta.progressToken);
}

/**
 * What the SDK v2's `isLegacyRequest(request, body)` answers for a request
 * with this HTTP method, `MCP-Protocol-Version` header and parsed body,
 * decided here when the answer is certain (the per-request cost of the SDK's
 * classifier is mostly zod parses that fail); `undefined` when the SDK has to
 * decide. The rules are the SDK's `classifyInboundRequest`:
 *
 * - a method other than POST is legacy;
 * - a POST whose body names a method and carries the envelope claim
 *   (`params._meta["io.modelcontextprotocol/protocolVersion"]`) is never
 *   legacy (modern, or refused by the modern leg), `initialize` aside;
 * - a POST whose body is a valid JSON-RPC request or notification without
 *   the claim is legacy unless the header names a modern revision.
 *
 * Anything else (batches, responses, invalid bodies, a modern header without
 * the claim, an unread body) is left to the SDK.
 */
export function knownLegacy(
  method: string | undefined,
  versionHeader: string | null | undefined,
  body: unknown,
): boolean | undefined {
  if (method === undefined) return undefined;
  if (method.toUpperCase() !== 'POST') return true;
  if (!isPlainObject(body) || typeof body.method !== 'string' || !isEnumerable(body, 'method'))
    return undefined;
  const params = body.params;
  const meta = isPlainObject(params) ? params._meta : undefined;
  if (isPlainObject(meta) && PROTOCOL_VERSION_META_KEY in meta)
    return body.method === 'initialize' ? undefined : false;
  if (typeof versionHeader === 'string' && stripOws(versionHeader) >= FIRST_MODERN_PROTOCOL_VERSION)
    return undefined;
  return isPlainRpcMessage(body) ? true : undefined;
}

/**
 * The `MCP-Protocol-Version` header as a Web `Request` built from the Node
 * request would carry it, when that is certain (no surrounding whitespace for
 * `Headers` to trim); `null` when absent, `undefined` when unsure.
 */
function versionHeaderOf(request: object): string | null | undefined {
  const value = nodeRequest(request).headers?.['mcp-protocol-version'];
  if (value === undefined) return null;
  return typeof value === 'string' && value.trim() === value ? value : undefined;
}

/**
 * Whether a request is MCP 2026-07-28 traffic, by the SDK v2's own
 * `isLegacyRequest` (or {@link knownLegacy} where that is certain); always
 * `false` without SDK v2 (or without any SDK). A GET or DELETE is never
 * modern.
 */
export async function isModernRequest(request: object, body: unknown): Promise<boolean> {
  if ((request as { method?: string }).method !== 'POST') return false;
  const sdk = await loadSdk().catch(() => undefined);
  if (sdk?.modern === undefined) return false;
  const header = versionHeaderOf(request);
  const known = header === undefined ? undefined : knownLegacy('POST', header, body);
  if (known !== undefined) return !known;
  return !(await sdk.modern.isLegacyRequest(toWebRequest(request), body));
}
