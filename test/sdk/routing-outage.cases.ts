import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { shortId } from '../../lib';
import { type RedisNode, startRedisNode } from '../support/redis-harness';
import { bootRouted, connectClient, result, type RoutedInstance, Split } from './routing.apps';
import type { SdkLine } from './routing.fixture';

/**
 * Redis stops while a server request waits for its answer (servers of SDK
 * line `line`): the answer cannot reach the waiting instance, whose request
 * fails within its own timeout (1.5 s here), logged, and the client still
 * gets the tool's error result on its stream.
 */
export function outageCases(line: SdkLine): void {
  let node: RedisNode;
  let instances: RoutedInstance[] = [];
  let warn: jest.SpyInstance;
  beforeAll(async () => {
    node = await startRedisNode();
  }, 60_000);
  afterAll(() => node.stop());
  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn');
  });
  afterEach(async () => {
    warn.mockRestore();
    for (const instance of instances.splice(0)) await instance.close();
  });
  let prefixes = 0;

  it.each([1, 2] as const)(
    'fails the waiting request on time and logs it (v%s client)',
    async (clientLine) => {
      const prefix = `outage:${++prefixes}:`;
      const setup = {
        connect: () => new Redis(node.url),
        prefix,
        line,
        answerTimeout: 1_500,
        commandTimeout: 300,
      };
      const a = await bootRouted(setup);
      const b = await bootRouted(setup);
      instances = [a, b];
      const split = new Split({ requests: a.url, answers: b.url, streams: a.url, deletes: a.url });
      const spec = await connectClient(clientLine, split.fetch);
      const sessionId = spec.transport.sessionId!;
      spec.hold(() => node.stop());
      try {
        const answer = result(await spec.client.callTool({ name: 'elicit' }));
        expect(answer).toMatchObject({ isError: true, error: expect.stringMatching(/timed out/i) });
      } finally {
        await node.start();
      }
      const logged = warn.mock.calls.map(([message]) => String(message));
      expect(logged).toContainEqual(expect.stringMatching(new RegExp(`got no answer`)));
      expect(
        logged.some(
          (message) => message.includes(shortId(sessionId)) && message.includes('got no answer'),
        ),
      ).toBe(true);
      expect(logged.some((message) => message.includes(sessionId))).toBe(false);
      await spec.client.close().catch(() => undefined);
    },
    30_000,
  );
}
