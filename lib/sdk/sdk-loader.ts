import type * as V2 from '@modelcontextprotocol/server';
import { errorMessage } from '../contract/session-store.error';

/** The constructor options of the SDK's `WebStandardStreamableHTTPServerTransport` (both lines). */
export type LegacyTransportOptions = V2.WebStandardStreamableHTTPServerTransportOptions;
/** The SDK's sessionful Streamable HTTP transport (2025 era), of whichever line is installed. */
export type LegacyTransport = V2.WebStandardStreamableHTTPServerTransport;

/** The parts of SDK v2 that serve MCP 2026-07-28 requests. */
export interface ModernSdk {
  createMcpHandler: typeof V2.createMcpHandler;
  isLegacyRequest: typeof V2.isLegacyRequest;
  createRequestStateCodec: typeof V2.createRequestStateCodec;
}

/** What `McpSessionTransports` uses of the installed MCP SDK. */
export interface Sdk {
  /** 2: `@modelcontextprotocol/server` (both eras); 1: `@modelcontextprotocol/sdk` (2025 era only). */
  line: 1 | 2;
  WebStandardStreamableHTTPServerTransport: new (
    options: LegacyTransportOptions,
  ) => LegacyTransport;
  SUPPORTED_PROTOCOL_VERSIONS: string[];
  LATEST_PROTOCOL_VERSION: string;
  /** Present with SDK v2 only. */
  modern?: ModernSdk;
}

let loading: Promise<Sdk> | undefined;
// require() in the CommonJS build (tsc compiles import() to it); see importSdkWith.
let importSdk = (specifier: string): Promise<unknown> => import(specifier);

/**
 * Internal, called by the package's ES module entries: load the SDK with
 * their native `import()`. The SDK ships ES module and CommonJS builds, and
 * its `createMcpHandler` checks `instanceof McpServer`, so the SDK must be
 * the copy the application builds its servers from.
 */
export function importSdkWith(load: (specifier: string) => Promise<unknown>): void {
  importSdk = load;
}

async function loadV2(): Promise<Sdk> {
  const v2 = (await importSdk('@modelcontextprotocol/server')) as typeof V2;
  return {
    line: 2,
    WebStandardStreamableHTTPServerTransport: v2.WebStandardStreamableHTTPServerTransport,
    SUPPORTED_PROTOCOL_VERSIONS: v2.SUPPORTED_PROTOCOL_VERSIONS,
    LATEST_PROTOCOL_VERSION: v2.LATEST_PROTOCOL_VERSION,
    modern: {
      createMcpHandler: v2.createMcpHandler,
      isLegacyRequest: v2.isLegacyRequest,
      createRequestStateCodec: v2.createRequestStateCodec,
    },
  };
}

async function loadV1(): Promise<Sdk> {
  const transport = (await importSdk(
    '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js',
  )) as typeof import('@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js');
  const types = (await importSdk(
    '@modelcontextprotocol/sdk/types.js',
  )) as typeof import('@modelcontextprotocol/sdk/types.js');
  return {
    line: 1,
    WebStandardStreamableHTTPServerTransport:
      transport.WebStandardStreamableHTTPServerTransport as unknown as Sdk['WebStandardStreamableHTTPServerTransport'],
    SUPPORTED_PROTOCOL_VERSIONS: types.SUPPORTED_PROTOCOL_VERSIONS,
    LATEST_PROTOCOL_VERSION: types.LATEST_PROTOCOL_VERSION,
  };
}

function isMissing(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND';
}

/**
 * Loads the MCP SDK on first use, so that applications that only use the
 * stores need neither line installed: SDK v2 (`@modelcontextprotocol/server`)
 * when it is installed, else SDK v1 (`@modelcontextprotocol/sdk`).
 * @throws Error naming both packages when neither is installed.
 */
export function loadSdk(): Promise<Sdk> {
  loading ??= loadV2()
    .catch((error: unknown) => {
      if (!isMissing(error)) throw error;
      return loadV1();
    })
    .catch((error: unknown) => {
      loading = undefined;
      throw new Error(
        'McpSessionTransports needs the MCP SDK: npm install @modelcontextprotocol/server ' +
          `(2.x, both protocol eras) or @modelcontextprotocol/sdk (1.x, 2025 era only): ${errorMessage(error)}`,
      );
    });
  return loading;
}
