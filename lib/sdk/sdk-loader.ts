import type { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';

/** The parts of `@modelcontextprotocol/sdk` that `McpSessionTransports` uses. */
export interface Sdk {
  WebStandardStreamableHTTPServerTransport: typeof WebStandardStreamableHTTPServerTransport;
  SUPPORTED_PROTOCOL_VERSIONS: string[];
  LATEST_PROTOCOL_VERSION: string;
}

let loading: Promise<Sdk> | undefined;

/**
 * Loads the MCP SDK on first use, so that applications that only use the
 * stores do not need it installed.
 * @throws Error naming the package when it is missing.
 */
export function loadSdk(): Promise<Sdk> {
  loading ??= (async () => {
    try {
      const transport =
        await import('@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js');
      const types = await import('@modelcontextprotocol/sdk/types.js');
      return {
        WebStandardStreamableHTTPServerTransport:
          transport.WebStandardStreamableHTTPServerTransport,
        SUPPORTED_PROTOCOL_VERSIONS: types.SUPPORTED_PROTOCOL_VERSIONS,
        LATEST_PROTOCOL_VERSION: types.LATEST_PROTOCOL_VERSION,
      };
    } catch (error) {
      loading = undefined;
      throw new Error(
        `McpSessionTransports needs @modelcontextprotocol/sdk (npm install @modelcontextprotocol/sdk): ${
          error instanceof Error ? error.message : String(error)
        }`,
      );
    }
  })();
  return loading;
}
