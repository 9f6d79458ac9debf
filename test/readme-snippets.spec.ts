import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  McpSessionModule,
  type McpSessionModuleOptions,
  type McpSessionOptionsFactory,
  SessionRecord,
  SessionStore,
} from '../lib';

// The README's quick-start and async-configuration snippets, as written there.

@Injectable()
class SessionsService {
  constructor(private readonly sessions: SessionStore) {}

  async visits(id: string): Promise<number> {
    const record = await this.sessions.load(id);
    if (!record) return 0;
    const visits = Number(record.data?.visits ?? 0) + 1;
    record.data = { ...record.data, visits };
    await this.sessions.save(record);
    return visits;
  }
}

@Module({
  imports: [McpSessionModule.forRoot({ ttl: 30 * 60_000 })],
  providers: [SessionsService],
})
class AppModule {}

@Injectable()
class SessionConfig implements McpSessionOptionsFactory {
  createMcpSessionOptions(): McpSessionModuleOptions {
    return { ttl: 10 * 60_000 };
  }
}

describe('README snippets', () => {
  it('quick start: a service injects the store by type and keeps data in the record', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    const store = moduleRef.get(SessionStore);
    await store.create(new SessionRecord('readme', '2025-11-25', 60_000));
    const service = moduleRef.get(SessionsService);

    expect(await service.visits('readme')).toBe(1);
    expect(await service.visits('readme')).toBe(2);
    expect(await service.visits('unknown')).toBe(0);
    expect((await store.load('readme'))?.data).toEqual({ visits: 2 });
    await moduleRef.close();
  });

  it('async configuration with a class', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [McpSessionModule.forRootAsync({ useClass: SessionConfig })],
    }).compile();
    const store = moduleRef.get(SessionStore);
    const record = await store.create(new SessionRecord('a', '2025-11-25', 1));
    const touched = await store.touch!(record.id, 10 * 60_000);
    expect(touched).toBeDefined();
    await moduleRef.close();
  });
});
