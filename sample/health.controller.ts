import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { McpSessionHealthIndicator } from '../lib';

/**
 * `GET /health` (@nestjs/terminus): 200 with the live session count and the
 * store's round-trip time, or 503 saying why the session store is down (a
 * wrong `REDIS_URL` shows here, not only as 503s on `/mcp`).
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly sessions: McpSessionHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.sessions.isHealthy('mcp_session', { timeout: 1_000 })]);
  }
}
