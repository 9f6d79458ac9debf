import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { readmeBlocks } from '../support/readme-blocks';
import { startRedisNode, type RedisNode } from '../support/redis-harness';
import { connectClient, Hops, type RekogInstance, toolJson } from './rekog.apps';

const SAMPLE = join(__dirname, '..', '..', 'sample', 'rekog');

describe('the rekog sample (sample/rekog)', () => {
  it.each([
    ['rekog.module.ts', 'McpSessionHttpTransport'],
    ['notes.tools.ts', 'NotesTools'],
    ['bearer.guard.ts', 'DemoBearerGuard'],
    ['main.ts', 'RekogModule'],
  ])('is what the README shows: %s', (file, marker) => {
    const block = readmeBlocks().find((b) => b.file === file && b.code.includes(marker));
    const sample = readFileSync(join(SAMPLE, file), 'utf8')
      .replace("from '../../lib/rekog'", "from 'nestjs-mcp-session/rekog'")
      .replace("from '../../lib'", "from 'nestjs-mcp-session'");
    expect(block?.code).toBe(`// ${file}\n${sample}`);
  });

  describe('two instances on one Redis', () => {
    let redis: RedisNode;
    let instances: RekogInstance[];

    /** Boots sample/rekog as `main.ts` does, in a module registry of its own (the sample's strategy is a module constant). */
    async function bootSample(name: string): Promise<RekogInstance> {
      let app!: INestApplication;
      await jest.isolateModulesAsync(async () => {
        const { NestFactory } = await import('@nestjs/core');
        const { mcp, RekogModule } = await import('../../sample/rekog/rekog.module');
        app = await NestFactory.create(RekogModule, { logger: false });
        app.connectMicroservice({ strategy: mcp });
        await app.startAllMicroservices();
        await app.listen(0, '127.0.0.1');
      });
      const { port } = app.getHttpServer().address() as AddressInfo;
      return { name, url: `http://127.0.0.1:${port}`, close: () => app.close() };
    }

    beforeAll(async () => {
      redis = await startRedisNode();
      process.env.REDIS_URL = redis.url;
      process.env.MCP_REQUEST_STATE_KEY = 'rekog-sample-spec-key-0123456789abcdef';
      instances = [await bootSample('A'), await bootSample('B')];
    }, 60_000);
    afterAll(async () => {
      await Promise.all(instances.map((instance) => instance.close()));
      delete process.env.REDIS_URL;
      delete process.env.MCP_REQUEST_STATE_KEY;
      await redis.stop();
    });

    it("keeps a 2025 session's notes across instances, and serves 2026-07-28 clients", async () => {
      const hops = new Hops(instances);
      hops.authorization = 'Bearer alice;notes:read notes:write';
      const { client } = await connectClient(hops.fetch, 'legacy');
      for (const text of ['one', 'two', 'three']) {
        await client.callTool({ name: 'add_note', arguments: { text } });
      }
      expect(
        new Set(hops.log.filter((e) => e.rpc === 'tools/call').map((e) => e.instance)),
      ).toEqual(new Set(['A', 'B']));
      expect(toolJson(await client.callTool({ name: 'notes' }))).toEqual({
        notes: ['one', 'two', 'three'],
      });
      // Concurrent calls on both instances lose no note.
      await Promise.all(
        ['x', 'y', 'z'].map((text) => client.callTool({ name: 'add_note', arguments: { text } })),
      );
      const { notes } = toolJson(await client.callTool({ name: 'notes' })) as { notes: string[] };
      expect(notes.slice(0, 3)).toEqual(['one', 'two', 'three']);
      expect(notes.slice(3).sort()).toEqual(['x', 'y', 'z']);
      expect(toolJson(await client.callTool({ name: 'whoami' }))).toMatchObject({
        user: 'alice',
        era: 'legacy',
      });
      // Without the scope: rekog's step-up answer (HTTP 403), which the client reports as an error.
      hops.authorization = 'Bearer alice;notes:read';
      await expect(
        client.callTool({ name: 'add_note', arguments: { text: 'four' } }),
      ).rejects.toThrow(/Insufficient scope: required "notes:write"/);
      await client.close();

      const modern = await connectClient(hops.fetch, { pin: '2026-07-28' });
      expect(toolJson(await modern.client.callTool({ name: 'whoami' }))).toMatchObject({
        user: 'alice',
        era: 'modern',
        sessionId: null,
      });
      await modern.client.close();
    });
  });
});
