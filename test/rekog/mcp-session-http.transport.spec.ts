import { PLATFORMS, type Platform } from '../support/http-app';
import { rawCall } from '../support/mcp-client';
import { startRedisNode, type RedisNode } from '../support/redis-harness';
import {
  bootPlainRekog,
  bootRekog,
  connectClient,
  Hops,
  legacyCall,
  modernCall,
  rawRequest,
  rawSession,
  sseResult,
  type RekogInstance,
  toolJson,
} from './rekog.apps';
import { bearer } from './rekog.fixture';

const ALICE = bearer('alice', ['notes:read']);
const ALICE_STEPPED_UP = bearer('alice', ['notes:read', 'notes:write']);
const ALICE_ADMIN = bearer('alice', ['notes:read'], true);

function toolNames(result: { tools: { name: string }[] }): string[] {
  return result.tools.map((tool) => tool.name).sort();
}

describe.each(PLATFORMS)(
  'rekog 2.x with its sessions in the store, on %s',
  (platform: Platform) => {
    let redis: RedisNode;
    let a: RekogInstance;
    let b: RekogInstance;
    let plain: RekogInstance;
    let prefixes = 0;
    let prefix: string;

    beforeAll(async () => {
      redis = await startRedisNode();
      plain = await bootPlainRekog(platform);
    }, 60_000);
    afterAll(async () => {
      await plain.close();
      await redis.stop();
    });

    beforeEach(async () => {
      prefix = `rekog:${platform}:${++prefixes}:`;
      a = await bootRekog(platform, redis.url, prefix, 'A');
      b = await bootRekog(platform, redis.url, prefix, 'B');
    });
    afterEach(async () => {
      await a.close();
      await b.close();
    });

    /** A 2025-era session of the official client, its requests alternating between A and B. */
    async function legacySession(authorization = ALICE) {
      const hops = new Hops([a, b]);
      hops.authorization = authorization;
      const { client, transport } = await connectClient(hops.fetch, 'legacy');
      expect(client.getProtocolEra()).toBe('legacy');
      return { hops, client, transport, sessionId: transport.sessionId! };
    }

    it('serves one session on both instances, each call bound to the HTTP request that carried it', async () => {
      const { hops, client, sessionId } = await legacySession();
      expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);
      expect(hops.log[0]).toMatchObject({ instance: 'A', rpc: 'initialize' });
      const seen = new Set<unknown>();
      for (let i = 0; i < 4; i++) {
        const result = toolJson(await client.callTool({ name: 'whoami' }));
        const carried = hops.last('tools/call');
        expect(result).toEqual({
          instance: carried.instance,
          seq: carried.seq,
          user: 'alice',
          era: 'legacy',
          sessionId,
        });
        seen.add(result.instance);
      }
      expect(seen).toEqual(new Set(['A', 'B']));
      expect((await a.store!.load(sessionId))?.owner).toBe('alice');
      await client.close();
    });

    it("runs rekog's guards and tool scopes on req.user of each request, on the creating and the restoring instance", async () => {
      const { hops, client } = await legacySession();
      const plainHops = new Hops([plain]);
      plainHops.authorization = ALICE;
      const reference = await connectClient(plainHops.fetch, 'legacy');

      // An RPC guard reads req.user: denied as in plain rekog, on both instances.
      const denied = await reference.client.callTool({ name: 'admin_report' });
      expect(denied).toMatchObject({ isError: true });
      for (let i = 0; i < 2; i++)
        expect(await client.callTool({ name: 'admin_report' })).toEqual(denied);
      // tools/list is filtered by the scopes of the request's own token.
      const listed = toolNames(await reference.client.listTools());
      expect(listed).not.toContain('write_note');
      for (let i = 0; i < 2; i++) expect(toolNames(await client.listTools())).toEqual(listed);

      // Same principal, new tokens mid-session: every instance sees the new req.user at once.
      hops.authorization = ALICE_ADMIN;
      const instances = new Set<unknown>();
      for (let i = 0; i < 2; i++) {
        const report = toolJson(await client.callTool({ name: 'admin_report' }));
        expect(report).toMatchObject({
          report: 'ok',
          era: 'legacy',
          instance: hops.last('tools/call').instance,
        });
        instances.add(report.instance);
      }
      expect(instances).toEqual(new Set(['A', 'B']));
      hops.authorization = ALICE_STEPPED_UP;
      for (let i = 0; i < 2; i++) {
        expect(toolNames(await client.listTools())).toContain('write_note');
        expect(
          toolJson(await client.callTool({ name: 'write_note', arguments: { text: 'hi' } })),
        ).toEqual({
          instance: hops.last('tools/call').instance,
          written: 'hi',
        });
      }
      await Promise.all([client.close(), reference.client.close()]);
    });

    it("answers a scope-short tools/call with rekog's step-up 403, byte for byte as plain rekog, in both eras", async () => {
      const sessionId = await rawSession(a.url, ALICE);
      const plainSession = await rawSession(plain.url, ALICE);
      const args = { text: 'hi' };

      const expected = legacyCall(plainSession, ALICE, 'write_note', args);
      const answer = await rawRequest(plain.url, 'POST', expected.headers, expected.body);
      expect(answer.status).toBe(403);
      expect(answer.wwwAuthenticate).toBe(
        'Bearer error="insufficient_scope", error_description="Tool \'write_note\' requires scopes: notes:write", ' +
          'scope="notes:write", resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource"',
      );
      const before = a.store!.total + b.store!.total;
      for (const instance of [a, b]) {
        const call = legacyCall(sessionId, ALICE, 'write_note', args);
        expect(await rawRequest(instance.url, 'POST', call.headers, call.body)).toEqual(answer);
      }
      // Refused before the session layer: no store call.
      expect(a.store!.total + b.store!.total).toBe(before);

      const modern = modernCall(ALICE, 'write_note', args);
      const modernAnswer = await rawRequest(plain.url, 'POST', modern.headers, modern.body);
      expect(modernAnswer).toMatchObject({ status: 403, wwwAuthenticate: answer.wwwAuthenticate });
      for (const instance of [a, b]) {
        expect(await rawRequest(instance.url, 'POST', modern.headers, modern.body)).toEqual(
          modernAnswer,
        );
      }
      expect(a.store!.total + b.store!.total).toBe(before);
    });

    it('refuses a foreign Origin or Host on every verb as plain rekog does, before any store call', async () => {
      const sessionId = await rawSession(a.url, ALICE);
      const before = a.store!.total + b.store!.total;
      const call = legacyCall(sessionId, ALICE, 'whoami');
      const refused: Record<string, string>[] = [
        { origin: 'https://evil.example.com' },
        { host: 'evil.example.com' },
      ];
      for (const bad of refused) {
        for (const method of ['POST', 'GET', 'DELETE'] as const) {
          const body = method === 'POST' ? call.body : undefined;
          const expected = await rawRequest(plain.url, method, { ...call.headers, ...bad }, body);
          expect(expected.status).toBe(403);
          for (const instance of [a, b]) {
            expect(
              await rawRequest(instance.url, method, { ...call.headers, ...bad }, body),
            ).toEqual(expected);
          }
        }
      }
      expect(a.store!.total + b.store!.total).toBe(before);
      // An allowed Origin goes through, on the instance that did not create the session.
      const origin = { origin: 'https://app.example.com', 'x-seq': 'raw-1' };
      const allowed = await rawRequest(b.url, 'POST', { ...call.headers, ...origin }, call.body);
      expect(allowed.status).toBe(200);
      expect(toolJson(sseResult(allowed.body))).toMatchObject({
        instance: 'B',
        seq: 'raw-1',
        user: 'alice',
      });
    });

    it('keeps concurrent calls of one session apart: each sees its own request', async () => {
      const sessionId = await rawSession(a.url, ALICE);
      // The official client resumes the session on B alone: B restores it, then serves 12 calls at once.
      const onB = new Hops([b]);
      onB.authorization = ALICE;
      const resumed = await connectClient(onB.fetch, 'legacy', sessionId);
      const results = await Promise.all(
        Array.from({ length: 12 }, () =>
          resumed.client.callTool({ name: 'whoami' }).then(toolJson),
        ),
      );
      const carried = onB.log
        .filter((entry) => entry.rpc === 'tools/call')
        .map((entry) => entry.seq);
      expect(carried).toHaveLength(12);
      expect(results.map((result) => result.seq).sort()).toEqual(carried.sort());
      expect(new Set(results.map((result) => result.sessionId))).toEqual(new Set([sessionId]));
      expect(new Set(results.map((result) => result.instance))).toEqual(new Set(['B']));
      await resumed.client.close();
    });

    it('serves its sessions after a restart, and ends them with DELETE: 404 everywhere', async () => {
      const { hops, client, transport, sessionId } = await legacySession();
      expect(toolJson(await client.callTool({ name: 'whoami' }))).toMatchObject({ sessionId });
      await a.close();
      a = await bootRekog(platform, redis.url, prefix, 'A2');
      hops.instances = [a, b];
      const seen = new Set<unknown>();
      for (let i = 0; i < 4; i++) {
        const result = toolJson(await client.callTool({ name: 'whoami' }));
        expect(result).toMatchObject({
          seq: hops.last('tools/call').seq,
          user: 'alice',
          sessionId,
        });
        seen.add(result.instance);
      }
      expect(seen).toEqual(new Set(['A2', 'B']));
      // Another principal gets the unknown-session answer.
      const foreign = legacyCall(sessionId, bearer('bob'), 'whoami');
      expect((await rawRequest(b.url, 'POST', foreign.headers, foreign.body)).status).toBe(404);

      await transport.terminateSession();
      expect(await a.store!.load(sessionId)).toBeUndefined();
      expect((await rawCall(a.url, sessionId)).status).toBe(404);
      expect((await rawCall(b.url, sessionId)).status).toBe(404);
      await client.close();
    });

    it("serves the same app's 2026-07-28 clients as plain rekog: no session, no store call, each call bound", async () => {
      const hops = new Hops([a, b]);
      hops.authorization = ALICE;
      const { client, transport } = await connectClient(hops.fetch, { pin: '2026-07-28' });
      expect(client.getProtocolEra()).toBe('modern');
      const before = a.store!.total + b.store!.total;
      const seen = new Set<unknown>();
      for (let i = 0; i < 4; i++) {
        const result = toolJson(await client.callTool({ name: 'whoami' }));
        const carried = hops.last('tools/call');
        expect(result).toEqual({
          instance: carried.instance,
          seq: carried.seq,
          user: 'alice',
          era: 'modern',
          sessionId: null,
        });
        seen.add(result.instance);
      }
      expect(seen).toEqual(new Set(['A', 'B']));
      expect(await client.callTool({ name: 'admin_report' })).toMatchObject({ isError: true });
      hops.authorization = ALICE_ADMIN;
      expect(toolJson(await client.callTool({ name: 'admin_report' }))).toMatchObject({
        report: 'ok',
        era: 'modern',
      });
      expect(toolNames(await client.listTools())).not.toContain('write_note');
      expect(a.store!.total + b.store!.total).toBe(before);
      expect(transport.sessionId).toBeUndefined();
      await client.close();
    });
  },
);
