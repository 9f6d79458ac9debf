import { Body, Controller, Delete, Get, Post, Req, Res } from '@nestjs/common';
import { McpSessionTransports } from 'nestjs-mcp-session';

/** The README's MCP endpoint: POST, GET and DELETE /mcp go to `handle()`. */
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
