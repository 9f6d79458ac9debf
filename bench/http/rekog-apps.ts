import { randomBytes } from 'node:crypto';
import { Controller, Module, type DynamicModule } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  McpController,
  McpHttpControllerFor,
  McpStrategy,
  StreamableHttpTransport,
  Tool,
} from '@rekog/mcp-nest';
import { z } from 'zod';
import { McpSessionModule } from '../../lib/mcp-session.module';
import { McpSessionHttpTransport } from '../../lib/rekog';
import { MemorySessionStore } from '../../lib/stores/memory/memory-session.store';

/** The tool every rekog bench app serves: `echo`, as the other bench apps' servers do. */
@McpController()
class EchoTools {
  @Tool({
    name: 'echo',
    description: 'Returns its text.',
    parameters: z.object({ text: z.string() }),
  })
  echo(@Payload() { text }: { text: string }) {
    return { content: [{ type: 'text' as const, text }] };
  }
}

/** A rekog app: its module and the MCP strategy to connect before it listens. */
export interface RekogApp {
  module: DynamicModule;
  strategy: McpStrategy;
}

function strategyOf(transport: StreamableHttpTransport | McpSessionHttpTransport): McpStrategy {
  return new McpStrategy({ name: 'bench', version: '0.0.0', transports: [transport] });
}

@Module({})
class BenchRekogModule {}

/**
 * `@rekog/mcp-nest` 2.x as its README wires it (a strategy, `@McpController`
 * tools, the transport's controller on `/mcp`), JSON answers: `stateful`
 * keeps SDK transports in a map of the process, else one server and
 * transport per request (rekog's stateless mode).
 */
export function plainRekog(stateful: boolean): RekogApp {
  const transport = new StreamableHttpTransport({
    statefulMode: stateful,
    enableJsonResponse: true,
  });
  @Controller('mcp')
  class McpHttp extends McpHttpControllerFor(transport) {}
  return {
    module: { module: BenchRekogModule, controllers: [McpHttp, EchoTools] },
    strategy: strategyOf(transport),
  };
}

/** rekog with its 2025-era sessions in `McpSessionModule`'s store (memory): our `McpSessionHttpTransport`. */
export function sessionRekog(): RekogApp {
  const transport = new McpSessionHttpTransport();
  @Controller('mcp')
  class McpHttp extends McpHttpControllerFor(transport) {}
  return {
    module: {
      module: BenchRekogModule,
      imports: [
        McpSessionModule.forRoot({
          store: new MemorySessionStore(),
          requestStateKey: randomBytes(32),
          transport: { enableJsonResponse: true },
        }),
      ],
      controllers: [McpHttp, EchoTools],
      providers: [transport.provider],
    },
    strategy: strategyOf(transport),
  };
}
