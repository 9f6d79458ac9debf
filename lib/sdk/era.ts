import { loadSdk } from './sdk-loader';
import { toWebRequest } from './web-http';

/**
 * Whether a request is MCP 2026-07-28 traffic, by the SDK v2's own
 * `isLegacyRequest`; always `false` without SDK v2 (or without any SDK). A
 * GET or DELETE is never modern.
 */
export async function isModernRequest(request: object, body: unknown): Promise<boolean> {
  if ((request as { method?: string }).method !== 'POST') return false;
  const sdk = await loadSdk().catch(() => undefined);
  if (sdk?.modern === undefined) return false;
  return !(await sdk.modern.isLegacyRequest(toWebRequest(request), body));
}
