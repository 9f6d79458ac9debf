/**
 * The test-runner functions the contract suite registers its cases with:
 * jest's and vitest's globals have this shape, and so do their imports
 * (`import { describe, it, beforeEach, afterEach } from 'vitest'`).
 *
 * A case body receives whatever the runner passes (vitest and node:test pass a
 * test context, jest nothing); the suite only uses its `skip()`, when present.
 */
export interface ContractApi {
  /** Groups the cases registered inside `body` (which runs at once). */
  describe(name: string, body: () => void): void;
  /** Registers one case; `timeout` (ms) is passed only to cases that wait in real time. */
  it(name: string, body: (...context: unknown[]) => Promise<void>, timeout?: number): void;
  /** Runs `body` before each case of the enclosing group. */
  beforeEach(body: () => Promise<void>): void;
  /** Runs `body` after each case of the enclosing group, also after a failure. */
  afterEach(body: () => Promise<void>): void;
}

const NAMES = ['describe', 'it', 'beforeEach', 'afterEach'] as const;

/**
 * The runner functions to use: `override` when given, else the globals that
 * jest (and vitest with `globals: true`) install.
 * @throws Error naming what is missing when neither is there.
 */
export function resolveContractApi(override?: ContractApi): ContractApi {
  if (override !== undefined) return override;
  const globals = globalThis as unknown as Partial<Record<keyof ContractApi, unknown>>;
  const missing = NAMES.filter((name) => typeof globals[name] !== 'function');
  if (missing.length > 0) {
    throw new Error(
      `sessionStoreContract: no global ${missing.join(', ')}. Run it under jest, or vitest ` +
        'with `globals: true`, or pass `{ api: { describe, it, beforeEach, afterEach } }`.',
    );
  }
  return globals as unknown as ContractApi;
}

/**
 * Ends a case that does not apply to the store: through the runner's own
 * `skip()` when its test context has one (vitest, node:test), so the report
 * says "skipped"; under jest, which has no such call, the case passes
 * without asserting anything.
 */
export function skipCase(context: unknown[]): void {
  // vitest's test context is a function object, node:test's a plain one.
  const first = context[0] as { skip?: unknown } | null | undefined;
  if (first != null && typeof first.skip === 'function') first.skip();
}
