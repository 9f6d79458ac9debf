import { Inject, Injectable } from '@nestjs/common';
import type { McpSessionOptions } from '../interfaces/mcp-session-options.interface';
import { MCP_SESSION_OPTIONS } from '../mcp-session.constants';
import { errorMessage } from '../contract/session-store.error';
import { checkMilliseconds } from '../contract/option-checks';
import { probeStore } from './store-probe';

/** Default bound of a health check, in ms (terminus's own indicators use 1000). */
export const DEFAULT_HEALTH_TIMEOUT = 1_000;

/** Options of {@link McpSessionHealthIndicator.isHealthy}. */
export interface McpSessionHealthCheckOptions {
  /** The store must answer within this many ms, or the check is down. Default 1000. */
  timeout?: number;
}

/**
 * A health indicator result, shaped as @nestjs/terminus's
 * `HealthIndicatorResult`: `{ [key]: { status: 'up' | 'down', ...details } }`.
 */
export type McpSessionHealthResult = Record<
  string,
  { status: 'up' | 'down'; [detail: string]: unknown }
>;

type HealthCheckErrorClass = new (message: string, causes: McpSessionHealthResult) => Error;
let terminus10: HealthCheckErrorClass | null | undefined;

/** terminus 10's `HealthCheckError` (its only way to say "down"); `null` on terminus 11 or without terminus. */
function healthCheckError10(): HealthCheckErrorClass | null {
  if (terminus10 === undefined) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const terminus = require('@nestjs/terminus') as Record<string, unknown>;
      terminus10 =
        'HealthIndicatorService' in terminus
          ? null
          : (terminus.HealthCheckError as HealthCheckErrorClass);
    } catch {
      terminus10 = null;
    }
  }
  return terminus10 ?? null;
}

/**
 * A health indicator of the session store for @nestjs/terminus (10 or 11;
 * an optional peer: this class does not load it). Provided and exported by
 * `McpSessionModule`; use it in a `HealthCheckService.check` list:
 * `() => this.sessions.isHealthy('mcp_session')`.
 */
@Injectable()
export class McpSessionHealthIndicator {
  constructor(@Inject(MCP_SESSION_OPTIONS) private readonly options: McpSessionOptions) {}

  /**
   * Probes the store: a `load` of a random unknown id, then `count()` when
   * the store has one, within `timeout`. Up: `{ status: 'up', sessions,
   * roundTripMs }` (`sessions` only when the store counts). Down:
   * `{ status: 'down', message }`, the message saying why (the store's error,
   * or that it did not answer in time). Never rejects, except on terminus 10,
   * whose only way to report "down" is a thrown `HealthCheckError`.
   * @param key the key of the result, default `mcp_session`.
   */
  async isHealthy(
    key = 'mcp_session',
    { timeout = DEFAULT_HEALTH_TIMEOUT }: McpSessionHealthCheckOptions = {},
  ): Promise<McpSessionHealthResult> {
    checkMilliseconds(timeout, 'timeout', { owner: McpSessionHealthIndicator.name });
    try {
      const probe = await probeStore(this.options.store, timeout);
      return { [key]: { status: 'up', ...probe } };
    } catch (error) {
      const down: McpSessionHealthResult = {
        [key]: { status: 'down', message: errorMessage(error) },
      };
      const HealthCheckError = healthCheckError10();
      if (HealthCheckError) throw new HealthCheckError('MCP session store check failed', down);
      return down;
    }
  }
}
