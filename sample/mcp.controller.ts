import { Body, Controller, Delete, Get, Post, Req, Res, UseInterceptors } from '@nestjs/common';
import { McpSessionInterceptor, McpSessionTransports } from '../lib';

/**
 * The MCP endpoint: Streamable HTTP on `/mcp`. The interceptor answers the
 * session status codes and extends the session; the transports serve MCP.
 * Works on Express and Fastify alike.
 */
@Controller('mcp')
@UseInterceptors(McpSessionInterceptor)
export class McpController {
  constructor(private readonly transports: McpSessionTransports) {}

  @Post()
  post(@Req() req: object, @Res() res: object, @Body() body: unknown): Promise<void> {
    return this.transports.handle(req, res, body);
  }

  @Get()
  stream(@Req() req: object, @Res() res: object): Promise<void> {
    return this.transports.handle(req, res);
  }

  @Delete()
  end(@Req() req: object, @Res() res: object): Promise<void> {
    return this.transports.handle(req, res);
  }
}
