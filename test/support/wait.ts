import { setTimeout as delay } from 'node:timers/promises';

/** Resolves after `ms` of real time (for waits that real time is the point of, never for timers a fake clock can drive). */
export function sleep(ms: number): Promise<void> {
  return delay(ms);
}

/** How long {@link eventually} polls, and how often. */
export interface EventuallyOptions {
  /** Gives up after this long, in ms. Default 5000. */
  timeoutMs?: number;
  /** Pause between two checks, in ms. Default 10. */
  everyMs?: number;
}

/**
 * Polls `check` until it holds (real pub/sub, a server starting or coming
 * back). A check that throws or rejects counts as "not yet". Asserts nothing
 * about time: the deadline only keeps a broken test from hanging.
 * @throws Error naming `what` (and the last error of `check`) once `timeoutMs` has passed.
 */
export async function eventually(
  what: string,
  check: () => boolean | Promise<boolean>,
  { timeoutMs = 5_000, everyMs = 10 }: EventuallyOptions = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const cause = lastError === undefined ? '' : ` (last error: ${String(lastError)})`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`);
    }
    await sleep(everyMs);
  }
}
