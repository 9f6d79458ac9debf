import { Body, Controller, Delete, Get, Post, Req, Res } from '@nestjs/common';
import { McpSessionTransports } from '../lib';

/**
 * The MCP endpoint: Streamable HTTP on `/mcp`, on Express and Fastify alike.
 * `handle()` answers the session status codes, extends the session (one
 * store call) and serves MCP, restoring sessions other instances created.
 */
@Controller('mcp')
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
