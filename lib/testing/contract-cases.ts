import type { SessionStore } from '../contract/session-store';
import { type ContractApi, skipCase } from './contract-api';

/** Real-time settings of the cases that wait for an expiry. */
export interface ContractTiming {
  /** ttl of the records that must expire in real time during a case. */
  shortTtlMs: number;
  /** How long a store may take to hide a record once its ttl has passed. */
  expiryTimeoutMs: number;
  /** Runner timeout of a case that waits: covers every retry and the polling. */
  waitingCaseTimeoutMs: number;
}

/** The optional methods a capability group needs. */
export type OptionalMethod = 'touch' | 'update' | 'count' | 'cleanupExpired';

/** A store that has `M`. */
export type StoreWith<M extends OptionalMethod> = SessionStore & {
  [K in M]-?: NonNullable<SessionStore[K]>;
};

/** What a group of cases registers itself with. */
export interface CaseRegistry<S extends SessionStore = SessionStore> {
  readonly describe: ContractApi['describe'];
  readonly timing: ContractTiming;
  /** Registers a case; `body` gets the store the factory opened for it. */
  it(name: string, body: (store: S) => Promise<void>, timeout?: number): void;
}

/**
 * A registry whose cases run on `current()`. With `method`, each case first
 * checks the store has it: when it does not, the case is skipped (or, with
 * `required`, fails saying so).
 */
export function caseRegistry<S extends SessionStore>(
  api: ContractApi,
  current: () => SessionStore,
  timing: ContractTiming,
  method?: OptionalMethod,
  required?: boolean,
): CaseRegistry<S> {
  return {
    describe: (name, body) => api.describe(name, body),
    timing,
    it: (name, body, timeout) => {
      const run = async (...context: unknown[]): Promise<void> => {
        const store = current();
        if (method !== undefined && typeof store[method] !== 'function') {
          if (required) {
            throw new Error(`the store has no ${method}(), but the options ask for its cases`);
          }
          return skipCase(context);
        }
        await body(store as S);
      };
      if (timeout === undefined) api.it(name, run);
      else api.it(name, run, timeout);
    },
  };
}
