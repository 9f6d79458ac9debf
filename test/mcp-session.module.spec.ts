import { Inject, Injectable, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import {
  DEFAULT_CLEANUP_INTERVAL,
  DEFAULT_SESSION_TTL,
  InjectSessionStore,
  MCP_SESSION_OPTIONS,
  McpSessionInterceptor,
  McpSessionModule,
  type McpSessionModuleOptions,
  type McpSessionOptions,
  type McpSessionOptionsFactory,
  MemorySessionStore,
  MemoryServerEventBus,
  SessionStore,
  MemorySessionMessageBus,
} from '../lib';

/** A stand-in for @nestjs/config: a module that exports a settings service. */
@Injectable()
class ConfigService {
  readonly values: Record<string, number> = { SESSION_TTL: 120_000, CLEANUP: 5_000 };
  get(key: string): number {
    return this.values[key];
  }
}

@Module({ providers: [ConfigService], exports: [ConfigService] })
class ConfigModule {}

@Injectable()
class SessionsUser {
  constructor(
    readonly byType: SessionStore,
    @InjectSessionStore() readonly byDecorator: SessionStore,
    @Inject(MCP_SESSION_OPTIONS) readonly options: McpSessionOptions,
  ) {}
}

@Injectable()
class OptionsFactory implements McpSessionOptionsFactory {
  static readonly store = new MemorySessionStore();
  createMcpSessionOptions(): McpSessionModuleOptions {
    return { store: OptionsFactory.store, ttl: 42_000 };
  }
}

@Module({ providers: [OptionsFactory], exports: [OptionsFactory] })
class OptionsFactoryModule {}

async function compile(imports: unknown[]) {
  const moduleRef = await Test.createTestingModule({
    imports: imports as never[],
    providers: [SessionsUser],
  }).compile();
  return moduleRef;
}

describe('McpSessionModule', () => {
  it('forRoot() with defaults provides a memory store and the default options', async () => {
    const moduleRef = await compile([McpSessionModule.forRoot({})]);
    const user = moduleRef.get(SessionsUser);
    expect(user.byType).toBeInstanceOf(MemorySessionStore);
    expect(user.byDecorator).toBe(user.byType);
    expect(user.options).toEqual({
      store: user.byType,
      ttl: DEFAULT_SESSION_TTL,
      cleanupInterval: DEFAULT_CLEANUP_INTERVAL,
      sharedStore: false,
      eventBus: expect.any(MemoryServerEventBus),
      maxLocalSessions: 2_000,
      storeBreaker: {},
      messageBus: expect.any(MemorySessionMessageBus),
    });
    await moduleRef.close();
  });

  it('forRoot() with a custom store and ttl injects that store', async () => {
    const store = new MemorySessionStore();
    const moduleRef = await compile([
      McpSessionModule.forRoot({ store, ttl: 1_000, cleanupInterval: false }),
    ]);
    const user = moduleRef.get(SessionsUser);
    expect(user.byType).toBe(store);
    expect(user.options.ttl).toBe(1_000);
    expect(user.options.cleanupInterval).toBe(false);
    await moduleRef.close();
  });

  it('turns a cleanupInterval of 0 into false', async () => {
    const moduleRef = await compile([McpSessionModule.forRoot({ cleanupInterval: 0 })]);
    expect(moduleRef.get(SessionsUser).options.cleanupInterval).toBe(false);
    await moduleRef.close();
  });

  it('forRootAsync() with useFactory and inject from a config module', async () => {
    const moduleRef = await compile([
      McpSessionModule.forRootAsync({
        imports: [ConfigModule],
        inject: [ConfigService],
        useFactory: (config: ConfigService) => ({
          ttl: config.get('SESSION_TTL'),
          cleanupInterval: config.get('CLEANUP'),
        }),
      }),
    ]);
    const user = moduleRef.get(SessionsUser);
    expect(user.options.ttl).toBe(120_000);
    expect(user.options.cleanupInterval).toBe(5_000);
    expect(user.byType).toBeInstanceOf(MemorySessionStore);
    await moduleRef.close();
  });

  it('forRootAsync() with an async factory', async () => {
    const store = new MemorySessionStore();
    const moduleRef = await compile([
      McpSessionModule.forRootAsync({ useFactory: async () => ({ store }) }),
    ]);
    expect(moduleRef.get(SessionsUser).byType).toBe(store);
    await moduleRef.close();
  });

  it('forRootAsync() with useClass', async () => {
    const moduleRef = await compile([McpSessionModule.forRootAsync({ useClass: OptionsFactory })]);
    const user = moduleRef.get(SessionsUser);
    expect(user.byType).toBe(OptionsFactory.store);
    expect(user.options.ttl).toBe(42_000);
    await moduleRef.close();
  });

  it('forRootAsync() with useExisting', async () => {
    const moduleRef = await compile([
      McpSessionModule.forRootAsync({
        imports: [OptionsFactoryModule],
        useExisting: OptionsFactory,
      }),
    ]);
    expect(moduleRef.get(SessionsUser).options.ttl).toBe(42_000);
    await moduleRef.close();
  });

  describe('isGlobal', () => {
    @Injectable()
    class FeatureService {
      constructor(readonly sessions: SessionStore) {}
    }
    @Module({ providers: [FeatureService], exports: [FeatureService] })
    class FeatureModule {}

    it('lets modules that do not import it inject the store', async () => {
      const moduleRef = await Test.createTestingModule({
        imports: [McpSessionModule.forRoot({ isGlobal: true }), FeatureModule],
      }).compile();
      expect(moduleRef.get(FeatureService).sessions).toBeInstanceOf(MemorySessionStore);
      await moduleRef.close();
    });

    it('works for forRootAsync too', async () => {
      const moduleRef = await Test.createTestingModule({
        imports: [
          McpSessionModule.forRootAsync({ isGlobal: true, useFactory: () => ({ ttl: 5_000 }) }),
          FeatureModule,
        ],
      }).compile();
      expect(moduleRef.get(FeatureService).sessions).toBeInstanceOf(MemorySessionStore);
      await moduleRef.close();
    });

    it('is off by default: a feature module that does not import it cannot inject the store', async () => {
      await expect(
        Test.createTestingModule({
          imports: [McpSessionModule.forRoot({}), FeatureModule],
        }).compile(),
      ).rejects.toThrow(/SessionStore/);
    });
  });

  describe('invalid options fail at boot, naming the option', () => {
    it.each([
      [{ ttl: -1 }, /"ttl"/],
      [{ ttl: 0 }, /"ttl"/],
      [{ ttl: Number.NaN }, /"ttl"/],
      [{ ttl: '100' as unknown as number }, /"ttl"/],
      [{ cleanupInterval: -5 }, /"cleanupInterval"/],
      [{ store: {} as SessionStore }, /"store".*missing: create, save, load, delete/],
      [{ resolveOwner: 'sub' as never }, /"resolveOwner" must be a function/],
      [{ createServer: {} as never }, /"createServer" must be a function/],
      [{ transport: 'strict' as never }, /"transport" must be an object/],
      [
        { store: { create() {}, load() {} } as unknown as SessionStore },
        /"store".*missing: save, delete/,
      ],
    ])('forRoot(%p)', async (options, message) => {
      await expect(compile([McpSessionModule.forRoot(options)])).rejects.toThrow(message);
    });

    it('forRootAsync() whose factory returns a bad store', async () => {
      await expect(
        compile([
          McpSessionModule.forRootAsync({
            useFactory: () => ({ store: 'redis://localhost' as unknown as SessionStore }),
          }),
        ]),
      ).rejects.toThrow(/"store"/);
    });

    it('forRootAsync() whose factory rejects', async () => {
      await expect(
        compile([
          McpSessionModule.forRootAsync({
            useFactory: async () => {
              throw new Error('config missing');
            },
          }),
        ]),
      ).rejects.toThrow('config missing');
    });
  });

  it('keeps resolveOwner, createServer and transport in the resolved options', async () => {
    const resolveOwner = () => 'alice';
    const createServer = () => ({ connect: async () => undefined, close: async () => undefined });
    const transport = { enableDnsRebindingProtection: true, allowedHosts: ['localhost'] };
    const moduleRef = await compile([
      McpSessionModule.forRoot({ resolveOwner, createServer, transport }),
    ]);
    const { options } = moduleRef.get(SessionsUser);
    expect(options.resolveOwner).toBe(resolveOwner);
    expect(options.createServer).toBe(createServer);
    expect(options.transport).toBe(transport);
    await moduleRef.close();
  });

  it('globalInterceptor registers McpSessionInterceptor as APP_INTERCEPTOR, for forRoot and forRootAsync', async () => {
    for (const dynamic of [
      McpSessionModule.forRoot({ globalInterceptor: true }),
      McpSessionModule.forRootAsync({ globalInterceptor: true, useFactory: () => ({}) }),
    ]) {
      expect(dynamic.providers).toContainEqual({
        provide: APP_INTERCEPTOR,
        useExisting: McpSessionInterceptor,
      });
      const moduleRef = await compile([dynamic]);
      expect(moduleRef.get(McpSessionInterceptor)).toBeInstanceOf(McpSessionInterceptor);
      await moduleRef.close();
    }
    const plain = McpSessionModule.forRoot({});
    expect(plain.providers).not.toContainEqual(
      expect.objectContaining({ provide: APP_INTERCEPTOR }),
    );
  });

  it('runs the configured store shutdown hook exactly once', async () => {
    class ClosingStore extends MemorySessionStore {
      closed = 0;
      onApplicationShutdown(): void {
        this.closed++;
      }
    }
    const store = new ClosingStore();
    const moduleRef = await compile([McpSessionModule.forRoot({ store, cleanupInterval: false })]);
    await moduleRef.close();
    expect(store.closed).toBe(1);
  });
});
