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
import { storeCall } from './health/store-call';
import { storeOutage } from './health/store-outage';
import { sessionMetrics } from './metrics/mcp-session.metrics';

/**
 * Calls `store.cleanupExpired()` every `cleanupInterval` ms while the
 * application runs. Sweeps never overlap; a failing sweep is logged (at
 * debug while the store's outage is already logged) and the next one runs as
 * usual. A sweep that removed records logs how many; one that removed
 * nothing logs at debug.
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
    const { store } = this.options;
    try {
      const removed = await storeCall(store, 'cleanupExpired', () => store.cleanupExpired!());
      sessionMetrics.expired(removed);
      if (removed > 0) this.logger.log(`Removed ${removed} expired session(s)`);
      else this.logger.debug(`Removed ${removed} expired session(s)`);
      return removed;
    } catch (error) {
      const message = `Expired-session sweep failed: ${errorMessage(error)}`;
      if (storeOutage(store).failed(error)) this.logger.debug(message);
      else this.logger.error(message);
      return undefined;
    }
  }
}
