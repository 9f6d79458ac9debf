import assert from 'node:assert/strict';
import { SessionRecord } from '../contract/session-record';

/** The protocol revision the contract's records carry. */
export const VERSION = '2025-11-25';

/** A ttl that keeps a record alive for the whole of any case. */
export const LONG_TTL = 10 * 60_000;

/** A record of `ttlMs` (default {@link LONG_TTL}) with no optional field set. */
export function sampleRecord(id: string, ttlMs = LONG_TTL): SessionRecord {
  return new SessionRecord(id, VERSION, ttlMs);
}

/** A record whose expiry is already a second in the past. */
export function expiredRecord(id: string): SessionRecord {
  const record = sampleRecord(id);
  record.expiresAt = new Date(Date.now() - 1_000);
  return record;
}

/** A record with every optional field set, nested values included. */
export function richRecord(id: string): SessionRecord {
  const record = sampleRecord(id);
  record.clientInfo = {
    name: 'contract-client',
    version: '1.2.3',
    title: 'Contract',
    extra: { a: [1, 2] },
  };
  record.clientCapabilities = {
    roots: { listChanged: true },
    sampling: {},
    elicitation: { form: {} },
  };
  record.owner = 'user-42';
  record.data = { counter: 3, nested: { list: ['x', { y: true }], nothing: null } };
  return record;
}

/** Plain copy for comparison: undefined properties dropped, any object compared as a plain one. */
function plain(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  if (Array.isArray(value)) return value.map(plain);
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (item !== undefined) out[key] = plain(item);
  }
  return out;
}

/**
 * Deep equality as jest's `toEqual` has it (undefined properties and object
 * types ignored), on `node:assert`, so that any runner can use it.
 */
export function assertEqual(actual: unknown, expected: unknown, message?: string): void {
  assert.deepStrictEqual(plain(actual), plain(expected), message);
}

/** Asserts that `value` is present and returns it, typed as such. */
export function present<T>(value: T | undefined, what: string): T {
  assert.ok(value !== undefined && value !== null, `${what}: got ${String(value)}`);
  return value;
}

/** Resolves once `Date.now()` is past `time` (a timer may fire a little early, so it checks). */
export async function sleepPast(time: number): Promise<void> {
  while (Date.now() <= time) {
    await new Promise((resolve) => setTimeout(resolve, time - Date.now() + 1));
  }
}

/**
 * Polls `check` every 25 ms until it returns true; fails with `message` when
 * `timeoutMs` has passed. The first check is immediate.
 */
export async function eventually(
  check: () => Promise<boolean>,
  timeoutMs: number,
  message: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() >= deadline) assert.fail(`${message} (waited ${timeoutMs} ms)`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** What a {@link withLiveWindow} scenario reports. */
export type WindowOutcome = 'done' | 'stalled';

/**
 * Runs a scenario whose first part needs short-lived records still alive.
 * When the machine stalled so long that they ran out before that part was
 * done (the scenario says `'stalled'`, having removed what it wrote), it runs
 * again with twice the ttl, three attempts in all: a busy machine cannot make
 * a store fail, and no attempt passes without asserting.
 */
export async function withLiveWindow(
  ttlMs: number,
  scenario: (ttlMs: number, attempt: number) => Promise<WindowOutcome>,
): Promise<void> {
  let ttl = ttlMs;
  for (let attempt = 0; attempt < 3; attempt++, ttl *= 2) {
    if ((await scenario(ttl, attempt)) === 'done') return;
  }
  assert.fail(
    `records of ${ttlMs}-${ttl / 2} ms ttl expired before the case could use them, 3 times`,
  );
}

/** The id a scenario uses in `attempt`: `base` first, then `base-1`, `base-2`. */
export function attemptId(base: string, attempt: number): string {
  return attempt === 0 ? base : `${base}-${attempt}`;
}
