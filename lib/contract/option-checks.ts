/**
 * An option or argument the library cannot use. A `RangeError`; its message
 * names the option (and whose it is) and the value given.
 */
export class InvalidOptionError extends RangeError {
  override readonly name = 'InvalidOptionError';

  constructor(
    /** The option or argument, e.g. `commandTimeout` or `ttlMs`. */
    readonly option: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The error for `option` of `owner` (e.g. `RedisSessionStore`), which must be
 * `expected` and is `value`. Without `owner`, `option` names a method argument.
 */
export function invalidOption(
  owner: string | undefined,
  option: string,
  expected: string,
  value: unknown,
): InvalidOptionError {
  const subject = owner === undefined ? option : `${owner}: option "${option}"`;
  return new InvalidOptionError(option, `${subject} must be ${expected}, got ${String(value)}`);
}

/** What {@link checkMilliseconds} accepts besides a positive number. */
export interface MillisecondsRule {
  /** Whose option it is, for the message; omitted for a method argument. */
  owner?: string;
  /** Accept 0 too (a ttl that expires at once, an interval that is off). */
  zero?: boolean;
  /** Another value the caller accepts and checks itself, named in the message (e.g. `false`). */
  orElse?: string;
}

function wording({ zero, orElse }: MillisecondsRule): string {
  const others = [zero ? '0' : undefined, orElse].filter((other) => other !== undefined);
  const base = 'a positive number of milliseconds';
  if (others.length === 0) return base;
  return others.length === 1 ? `${base} or ${others[0]}` : `${base}, ${others.join(' or ')}`;
}

/**
 * `value` when it is a finite number of milliseconds above 0 (or 0, with
 * `rule.zero`).
 * @throws InvalidOptionError naming `option` otherwise.
 */
export function checkMilliseconds(
  value: unknown,
  option: string,
  rule: MillisecondsRule = {},
): number {
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < 0 ||
    (value === 0 && rule.zero !== true)
  ) {
    throw invalidOption(rule.owner, option, wording(rule), value);
  }
  return value;
}

/**
 * `value` when it is an integer above 0.
 * @throws InvalidOptionError naming `option` of `owner` otherwise.
 */
export function checkPositiveInteger(value: unknown, option: string, owner?: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw invalidOption(owner, option, 'a positive integer', value);
  }
  return value;
}

const TTL: MillisecondsRule = { zero: true };

/**
 * `ttlMs` when it is a usable time to live: finite and not negative (0
 * expires at once).
 * @throws InvalidOptionError (a `RangeError`) naming `ttlMs` otherwise.
 */
export function checkTtl(ttlMs: number): number {
  return checkMilliseconds(ttlMs, 'ttlMs', TTL);
}
