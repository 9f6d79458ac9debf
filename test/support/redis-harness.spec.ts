import Redis, { Cluster } from 'ioredis';
import { startRedisCluster, startRedisNode } from './redis-harness';

describe('redis-harness', () => {
  it('starts a node on a free port, stops it by port and starts it again on the same port', async () => {
    const node = await startRedisNode();
    try {
      expect(node.port).not.toBe(6379);
      expect(node.url).toBe(`redis://127.0.0.1:${node.port}`);
      const client = new Redis(node.port, '127.0.0.1', {
        lazyConnect: true,
        maxRetriesPerRequest: 0,
      });
      await client.connect();
      expect(await client.ping()).toBe('PONG');
      client.disconnect();

      await node.stop();
      const probe = new Redis(node.port, '127.0.0.1', {
        lazyConnect: true,
        retryStrategy: () => null,
      });
      probe.on('error', () => undefined);
      await expect(probe.connect()).rejects.toThrow();
      probe.disconnect();

      await node.start();
      const again = new Redis(node.port, '127.0.0.1', { lazyConnect: true });
      await again.connect();
      expect(await again.ping()).toBe('PONG');
      again.disconnect();
    } finally {
      await node.stop();
    }
  });

  it('starts a 3-master cluster that serves keys in every slot range', async () => {
    const cluster = await startRedisCluster();
    const client = new Cluster(cluster.nodes);
    try {
      expect(cluster.nodes).toHaveLength(3);
      for (let i = 0; i < 30; i++) await client.set(`k${i}`, String(i));
      expect(await client.get('k29')).toBe('29');
      const masters = client.nodes('master');
      expect(masters).toHaveLength(3);
    } finally {
      client.disconnect();
      await cluster.stop();
    }
  });
});
