import type { ContractApi } from '../../lib/testing';

type Hook = () => Promise<void>;
type Body = (...context: unknown[]) => Promise<void>;

interface Scope {
  names: string[];
  beforeEach: Hook[];
  afterEach: Hook[];
  parent?: Scope;
}

/** One registered case: its full name (groups joined by " › ") and its timeout. */
export interface RecordedCase {
  name: string;
  timeout?: number;
  scope: Scope;
  body: Body;
}

/** How a recorded case ended. */
export type Outcome =
  { status: 'passed' } | { status: 'skipped' } | { status: 'failed'; error: unknown };

/**
 * A runner of our own: `api` records what the suite registers (groups, cases,
 * hooks) instead of handing it to jest, and `run` runs the cases one by one
 * with their hooks, as a runner would, reporting how each ended. Cases get a
 * test context whose `skip()` marks them skipped (as vitest's does), or with
 * `{ context: false }` nothing at all (as under jest).
 */
export function recordingRunner({ context = true } = {}): {
  api: ContractApi;
  cases: RecordedCase[];
  run(filter?: (name: string) => boolean): Promise<Map<string, Outcome>>;
} {
  const cases: RecordedCase[] = [];
  let scope: Scope = { names: [], beforeEach: [], afterEach: [] };
  const api: ContractApi = {
    describe(name, body) {
      const parent = scope;
      scope = { names: [...parent.names, name], beforeEach: [], afterEach: [], parent };
      try {
        body();
      } finally {
        scope = parent;
      }
    },
    it(name, body, timeout) {
      cases.push({ name: [...scope.names, name].join(' › '), timeout, scope, body });
    },
    beforeEach(hook) {
      scope.beforeEach.push(hook);
    },
    afterEach(hook) {
      scope.afterEach.push(hook);
    },
  };

  async function runOne(recorded: RecordedCase): Promise<Outcome> {
    const chain: Scope[] = [];
    for (let s: Scope | undefined = recorded.scope; s; s = s.parent) chain.unshift(s);
    let outcome: Outcome = { status: 'passed' };
    const fail = (error: unknown) => {
      if (outcome.status !== 'failed') outcome = { status: 'failed', error };
    };
    try {
      for (const s of chain) for (const hook of s.beforeEach) await hook();
      let skipped = false;
      await (context ? recorded.body({ skip: () => void (skipped = true) }) : recorded.body());
      if (skipped) outcome = { status: 'skipped' };
    } catch (error) {
      fail(error);
    }
    for (const s of [...chain].reverse()) {
      for (const hook of s.afterEach) await hook().catch(fail);
    }
    return outcome;
  }

  return {
    api,
    cases,
    async run(filter = () => true) {
      const outcomes = new Map<string, Outcome>();
      for (const recorded of cases.filter((c) => filter(c.name))) {
        outcomes.set(recorded.name, await runOne(recorded));
      }
      return outcomes;
    },
  };
}

/** The names of the cases that ended with `status`. */
export function named(outcomes: Map<string, Outcome>, status: Outcome['status']): string[] {
  return [...outcomes].filter(([, o]) => o.status === status).map(([name]) => name);
}
