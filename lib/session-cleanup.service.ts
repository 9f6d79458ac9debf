import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { McpSessionOptions } from './interfaces/mcp-session-options.interface';
import { MCP_SESSION_OPTIONS } from './mcp-session.constants';
import { errorMessage } from './contract/session-store.error';

/**
 * Calls `store.cleanupExpired()` every `cleanupInterval` ms while the
 * application runs. Sweeps never overlap; a failing sweep is logged and the
 * next one runs as usual.
 */
@Injectable()
export class SessionCleanupService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(SessionCleanupService.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<number | undefined>;

  constructor(@Inject(MCP_SESSION_OPTIONS) private readonly options: McpSessionOptions) {}

  onApplicationBootstrap(): void {
    const { cleanupInterval, store } = this.options;
    if (cleanupInterval === false) return;
    if (typeof store.cleanupExpired !== 'function') {
      this.logger.log('The session store has no cleanupExpired(); the expiry sweep is off');
      return;
    }
    this.timer = setInterval(() => void this.sweep(), cleanupInterval);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    // Let a sweep in progress finish before the store's connections close.
    await this.running;
  }

  /**
   * Runs one sweep now, unless one is already running.
   * @returns the number of records removed, or `undefined` when skipped or failed.
   */
  sweep(): Promise<number | undefined> {
    if (this.running) return Promise.resolve(undefined);
    this.running = this.runSweep().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async runSweep(): Promise<number | undefined> {
    try {
      const removed = await this.options.store.cleanupExpired!();
      this.logger.log(`Removed ${removed} expired session(s)`);
      return removed;
    } catch (error) {
      this.logger.error(`Expired-session sweep failed: ${errorMessage(error)}`);
      return undefined;
    }
  }
}
