import { randomBytes } from 'node:crypto';
import type {
  McpCallContext,
  McpRequestStateCodec,
} from '../interfaces/mcp-server-context.interface';
import type { ModernSdk } from './sdk-loader';

/**
 * The request-state codec of this process: the SDK's HMAC-SHA256
 * `createRequestStateCodec` with `key` (a random 32-byte key when none is
 * configured, good for one process only), bound to the request's method and
 * the caller's principal, so that an echo by another caller or into another
 * method is refused.
 */
export function requestStateCodec(
  sdk: ModernSdk | undefined,
  key: string | Uint8Array | undefined,
  principalOf: (ctx: McpCallContext) => string | undefined,
): McpRequestStateCodec {
  if (sdk === undefined) {
    const missing = (): Promise<never> =>
      Promise.reject(
        new Error('requestState needs SDK v2: npm install @modelcontextprotocol/server'),
      );
    return { mint: missing, verify: missing };
  }
  const codec = sdk.createRequestStateCodec({
    key: key ?? randomBytes(32),
    bind: (ctx) => {
      const call = ctx as McpCallContext;
      return `${call.mcpReq?.method ?? ''}\0${principalOf(call) ?? ''}`;
    },
  });
  return {
    mint: (payload, ctx) => codec.mint(payload, ctx as never),
    verify: (state, ctx) => codec.verify(state, ctx as never),
  };
}
