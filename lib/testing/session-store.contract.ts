import { DEFAULT_MAX_RECORD_BYTES } from '../contract/record-size';
import type { SessionStore } from '../contract/session-store';
import { type ContractApi, resolveContractApi } from './contract-api';
import { caseRegistry, type ContractTiming, type OptionalMethod } from './contract-cases';
import { concurrencyCases } from './contract-concurrency';
import { copyCases } from './contract-copies';
import { coreCases } from './contract-core';
import { cleanupCases, countCases } from './contract-count';
import { encodeCases } from './contract-encode';
import { touchCases } from './contract-touch';
import { updateCases } from './contract-update';

/** What the factory hands the suite for one case: a fresh, empty store. */
export interface ContractSubject {
  /** The store under test; it must hold no record yet. */
  store: SessionStore;
  /** Closes what the factory opened (the store's own connections); run after each case. */
  close?: () => Promise<void>;
}

/**
 * Options of {@link sessionStoreContract}. Each capability group runs when the
 * store has its method (checked on every fresh store); `false` leaves the group
 * out, `true` makes a store without the method fail its cases.
 */
export interface SessionStoreContractOptions {
  /** The runner's functions, for runners without globals (vitest without `globals: true`). */
  api?: ContractApi;
  /** The `touch` cases. */
  touch?: boolean;
  /** The `update` cases (with revisions and `save`'s conflict check). */
  update?: boolean;
  /** The `count` cases. */
  count?: boolean;
  /** The `cleanupExpired` cases. */
  cleanupExpired?: boolean;
  /** Concurrent creates of one preferred id (every store should pass it). Default true. */
  concurrency?: boolean;
  /** Records the store cannot store: too large, cyclic, nested too deeply. Default true. */
  encode?: boolean;
  /**
   * The `maxRecordBytes` the store under test was given (the `encode` cases
   * write a record 1 KiB past it). Default 65 536, the library's default;
   * `Infinity` for a store without a limit leaves that case out.
   */
  maxRecordBytes?: number;
  /**
   * ttl of the records that must expire in real time, in ms. Default 1000.
   * Cases retry with a doubled ttl when the machine stalls past it.
   */
  shortTtlMs?: number;
  /** How long the store may take to hide a record once its ttl has passed, in ms. Default 10000. */
  expiryTimeoutMs?: number;
}

function positiveMs(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(`${name} must be a finite number of milliseconds > 0, got ${value}`);
  }
  return value;
}

function limitOf(value: number | undefined): number {
  if (value === undefined) return DEFAULT_MAX_RECORD_BYTES;
  if (value !== Infinity && !(Number.isInteger(value) && value > 0)) {
    throw new RangeError(`maxRecordBytes must be a positive integer or Infinity, got ${value}`);
  }
  return value;
}

function timingOf(options: SessionStoreContractOptions): ContractTiming {
  const shortTtlMs = positiveMs(options.shortTtlMs, 1_000, 'shortTtlMs');
  const expiryTimeoutMs = positiveMs(options.expiryTimeoutMs, 10_000, 'expiryTimeoutMs');
  // Three attempts (ttl, 2 ttl, 4 ttl), the polling, and room for slow I/O.
  return {
    shortTtlMs,
    expiryTimeoutMs,
    waitingCaseTimeoutMs: 7 * shortTtlMs + expiryTimeoutMs + 15_000,
  };
}

/**
 * Registers the `SessionStore` contract suite for one store: what every store
 * of this library passes, runnable against yours in one line under jest, or
 * vitest with globals:
 *
 * ```ts
 * sessionStoreContract('MyStore', async () => ({ store: new MyStore() }));
 * ```
 *
 * Groups: `core` (create, save, load, delete, copies, Dates, ids as data,
 * expiry), `touch`, `update` (atomic read-modify-write: concurrent increments
 * end exact, nothing revived; revisions, and `save` refusing a stale copy
 * with kind `conflict`), `count`, `cleanupExpired`, `concurrency` and
 * `encode` (too large, cyclic or deeply nested records refused with kind
 * `encode`, nothing written). A group of an optional method the store lacks is skipped where the runner can skip from
 * inside a case (vitest), and passes without asserting under jest; set its
 * option to `false` to leave it out. Assertions use `node:assert`, so the
 * suite needs no runner's `expect`. No case depends on luck with real time:
 * records meant to stay alive live for minutes, and the few that must expire
 * in real time retry with longer ttls when the machine stalls.
 *
 * @param name shown in the suite's title.
 * @param factory called before each case: a fresh, empty store (and how to close it).
 * @throws Error when the runner's functions are neither globals nor in `options.api`;
 *   RangeError for a timing option that is not a positive number of milliseconds,
 *   or a `maxRecordBytes` that is not a positive integer or `Infinity`.
 */
export function sessionStoreContract(
  name: string,
  factory: () => ContractSubject | Promise<ContractSubject>,
  options: SessionStoreContractOptions = {},
): void {
  const api = resolveContractApi(options.api);
  const timing = timingOf(options);
  const maxRecordBytes = limitOf(options.maxRecordBytes);

  api.describe(`SessionStore contract: ${name}`, () => {
    let subject: ContractSubject | undefined;
    api.beforeEach(async () => {
      subject = await factory();
    });
    api.afterEach(async () => {
      const done = subject;
      subject = undefined;
      await done?.close?.();
    });

    const current = (): SessionStore => {
      if (subject === undefined) throw new Error('no store: the factory did not return one');
      return subject.store;
    };
    const group = <S extends SessionStore>(method?: OptionalMethod) =>
      caseRegistry<S>(api, current, timing, method, method && options[method]);

    api.describe('core', () => {
      coreCases(group());
      copyCases(group());
    });
    if (options.touch !== false) api.describe('touch', () => touchCases(group('touch')));
    if (options.update !== false) api.describe('update', () => updateCases(group('update')));
    if (options.count !== false) api.describe('count', () => countCases(group('count')));
    if (options.cleanupExpired !== false) {
      api.describe('cleanupExpired', () => cleanupCases(group('cleanupExpired')));
    }
    if (options.concurrency !== false) {
      api.describe('concurrency', () => concurrencyCases(group()));
    }
    if (options.encode !== false) {
      api.describe('encode', () => encodeCases(group(), maxRecordBytes));
    }
  });
}
