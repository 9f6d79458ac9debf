/**
 * ioredis and @modelcontextprotocol/sdk are optional peers: an application
 * that uses only the memory store must be able to import the package without
 * them, and get a clear error only when it reaches for what needs them.
 */
describe('optional peer dependencies', () => {
  const missing = (name: string) => () => {
    throw Object.assign(new Error(`Cannot find module '${name}'`), { code: 'MODULE_NOT_FOUND' });
  };

  afterEach(() => {
    jest.resetModules();
  });

  it('imports the package without ioredis and the MCP SDK installed', () => {
    jest.isolateModules(() => {
      jest.doMock('ioredis', missing('ioredis'));
      jest.doMock('@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js', missing('sdk'));
      jest.doMock('@modelcontextprotocol/sdk/types.js', missing('sdk'));
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const lib = require('../lib') as typeof import('../lib');
      expect(typeof lib.McpSessionModule).toBe('function');
      expect(typeof lib.MemorySessionStore).toBe('function');
      expect(() => lib.RedisSessionStore.fromUrl('redis://127.0.0.1:1')).toThrow(
        /need ioredis \(npm install ioredis\)/,
      );
      expect(() => lib.RedisInvalidationChannel.fromUrl('redis://127.0.0.1:1')).toThrow(
        /need ioredis/,
      );
    });
  });
});
