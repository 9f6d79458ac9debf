import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { McpSessionOptions } from '../interfaces/mcp-session-options.interface';
import { MCP_SESSION_OPTIONS } from '../mcp-session.constants';
import { observeLiveSessions } from './mcp-session.metrics';

/**
 * Reports the configured store's `count()` as the `mcp_session.live`
 * OpenTelemetry gauge while the application runs (nothing without
 * `@opentelemetry/api`, or when the store has no `count`).
 */
@Injectable()
export class LiveSessionsGauge implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private stop?: () => void;

  constructor(@Inject(MCP_SESSION_OPTIONS) private readonly options: McpSessionOptions) {}

  onApplicationBootstrap(): void {
    this.stop ??= observeLiveSessions(this.options.store);
  }

  beforeApplicationShutdown(): void {
    this.stop?.();
    this.stop = undefined;
  }
}
