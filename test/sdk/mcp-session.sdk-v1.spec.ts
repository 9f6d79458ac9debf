import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { Client as ClientV2, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { MemorySessionStore, type McpServerContext } from '../../lib';
import { McpController } from '../../sample/mcp.controller';
import { bootApp, type TestApp } from '../support/http-app';
import { connect, rawCall, Router, toolJson } from '../support/mcp-client';

// An application with SDK v1 only: @modelcontextprotocol/server is not installed.
jest.mock('@modelcontextprotocol/server', () => {
  const missing = new Error("Cannot find module '@modelcontextprotocol/server'");
  Object.assign(missing, { code: 'MODULE_NOT_FOUND' });
  throw missing;
});

function createV1Server({ era, record }: McpServerContext): McpServer {
  const server = new McpServer({ name: 'v1-only', version: '1.0.0' });
  server.registerTool('era', { description: 'The era and session.' }, async () => ({
    content: [{ type: 'text', text: JSON.stringify({ era, session: record?.id }) }],
  }));
  return server;
}

describe('McpSessionTransports with SDK v1 only (@modelcontextprotocol/sdk 1.x)', () => {
  const store = new MemorySessionStore();
  let a: TestApp;
  let b: TestApp;

  beforeEach(async () => {
    const options = { store, cleanupInterval: false as const, createServer: createV1Server };
    a = await bootApp('express', options, [McpController]);
    b = await bootApp('express', options, [McpController]);
  });
  afterEach(async () => {
    await a.close();
    await b.close();
  });

  it('serves a 2025-era session on one instance, restores it on another, and ends it', async () => {
    const router = new Router(a.url);
    const session = await connect(router);
    const id = session.sessionId;
    expect(toolJson(await session.client.callTool({ name: 'era' }))).toEqual({
      era: 'legacy',
      session: id,
    });
    router.target = b.url;
    expect(toolJson(await session.client.callTool({ name: 'era' }))).toEqual({
      era: 'legacy',
      session: id,
    });
    await session.transport.terminateSession();
    expect((await rawCall(a.url, id)).status).toBe(404);
    expect((await rawCall(b.url, id)).status).toBe(404);
    await session.close();
  });

  it('offers no 2026-07-28: a client pinned to it fails to negotiate', async () => {
    const client = new ClientV2(
      { name: 'pinned', version: '1.0.0' },
      { versionNegotiation: { mode: { pin: '2026-07-28' } } },
    );
    await expect(
      client.connect(new StreamableHTTPClientTransport(new URL(`${a.url}/mcp`))),
    ).rejects.toMatchObject({ code: 'ERA_NEGOTIATION_FAILED' });
  });
});
