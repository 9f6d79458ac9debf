import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import {
  Body,
  Controller,
  Delete,
  type DynamicModule,
  Get,
  Module,
  Post,
  Req,
  Res,
  UseInterceptors,
} from '@nestjs/common';
import {
  McpSessionInterceptor,
  McpSessionModule,
  type McpSessionModuleOptions,
  McpSessionTransports,
} from '../../lib';
import { SampleServerFactory } from '../../sample/mcp-server.factory';
import { SessionToolsService } from '../../sample/session-tools.service';
import { MCP_SERVER_FACTORY } from '../../lib';
import { CLIENT_INFO } from '../support/mcp-client';

/** The MCP endpoint behind the interceptor, which checks the session before handle() does. */
@Controller('mcp')
@UseInterceptors(McpSessionInterceptor)
class InterceptedMcpController {
  constructor(private readonly transports: McpSessionTransports) {}
  @Post()
  post(@Req() req: object, @Res() res: object, @Body() body: unknown) {
    return this.transports.handle(req, res, body);
  }
  @Get()
  get(@Req() req: object, @Res() res: object) {
    return this.transports.handle(req, res);
  }
  @Delete()
  end(@Req() req: object, @Res() res: object) {
    return this.transports.handle(req, res);
  }
}

/** The sample's server behind {@link InterceptedMcpController}. */
@Module({})
export class InterceptedModule {
  static register(options: McpSessionModuleOptions): DynamicModule {
    return {
      module: InterceptedModule,
      imports: [McpSessionModule.forRoot(options)],
      controllers: [InterceptedMcpController],
      providers: [
        SessionToolsService,
        SampleServerFactory,
        { provide: MCP_SERVER_FACTORY, useExisting: SampleServerFactory },
      ],
    };
  }
}

/** Headers of a 2025-era POST. */
export const JSON_POST = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
};

/** A 2025-era `initialize` body. */
export const INITIALIZE = JSON.stringify({
  jsonrpc: '2.0',
  id: 0,
  method: 'initialize',
  params: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: CLIENT_INFO },
});

/** An HTTP answer read whole. */
export interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
}

/** POSTs `body` to `<url>/mcp` with `headers` (added to {@link JSON_POST}). */
export async function post(
  url: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const res = await fetch(`${url}/mcp`, {
    method: 'POST',
    headers: { ...JSON_POST, ...headers },
    body,
  });
  const text = await res.text();
  let parsed: unknown = text;
  if (res.headers.get('content-type')?.includes('json')) parsed = JSON.parse(text);
  else if (res.headers.get('content-type')?.includes('event-stream')) {
    const data = text.split('\n').find((line) => line.startsWith('data: '));
    parsed = data ? JSON.parse(data.slice(6)) : text;
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

/** initialize + notifications/initialized; resolves to the session id. */
export async function initialize(
  url: string,
  headers: Record<string, string> = {},
): Promise<string> {
  const answer = await post(url, INITIALIZE, headers);
  if (answer.status !== 200)
    throw new Error(`initialize: ${answer.status} ${JSON.stringify(answer.body)}`);
  const id = answer.headers.get('mcp-session-id')!;
  const done = await post(
    url,
    JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
    {
      ...headers,
      'mcp-session-id': id,
    },
  );
  if (done.status !== 202) throw new Error(`notifications/initialized: ${done.status}`);
  return id;
}

/** A `tools/list` on session `id`. */
export function toolsList(
  url: string,
  id: string,
  headers: Record<string, string> = {},
): Promise<Answer> {
  return post(url, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }), {
    ...headers,
    'mcp-session-id': id,
  });
}
