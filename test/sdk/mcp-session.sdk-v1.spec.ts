import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { Client as ClientV2, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { McpController } from '../../sample/mcp.controller';
import { bootApp, type TestApp } from '../support/http-app';
import { connect, Router, toolJson } from '../support/mcp-client';

// An application with SDK v1 only: @modelcontextprotocol/server is not installed.
jest.mock('@modelcontextprotocol/server', () => {
  const missing = new Error("Cannot find module '@modelcontextprotocol/server'");
  Object.assign(missing, { code: 'MODULE_NOT_FOUND' });
  throw missing;
});

describe('McpSessionTransports with SDK v1 only (@modelcontextprotocol/sdk 1.x)', () => {
  let app: TestApp;

  beforeEach(async () => {
    app = await bootApp(
      'express',
      {
        cleanupInterval: false,
        createServer: ({ era, record }) => {
          const server = new McpServer({ name: 'v1-only', version: '1.0.0' });
          server.registerTool('era', { description: 'The era and session.' }, async () => ({
            content: [{ type: 'text', text: JSON.stringify({ era, session: record?.id }) }],
          }));
          return server;
        },
      },
      [McpController],
    );
  });
  afterEach(() => app.close());

  it('serves 2025-era sessions with the v1 transports', async () => {
    const session = await connect(new Router(app.url));
    expect(toolJson(await session.client.callTool({ name: 'era' }))).toEqual({
      era: 'legacy',
      session: session.sessionId,
    });
    await session.close();
  });

  it('offers no 2026-07-28: a client pinned to it fails to negotiate', async () => {
    const client = new ClientV2(
      { name: 'pinned', version: '1.0.0' },
      { versionNegotiation: { mode: { pin: '2026-07-28' } } },
    );
    await expect(
      client.connect(new StreamableHTTPClientTransport(new URL(`${app.url}/mcp`))),
    ).rejects.toMatchObject({ code: 'ERA_NEGOTIATION_FAILED' });
  });
});
