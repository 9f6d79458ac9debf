import type { ScenarioResult } from './report';

/** Settings of one run, from the command line. */
export interface BenchContext {
  quick: boolean;
  /** Alternating rounds per comparison. */
  rounds: number;
  /** Length of one round, ms. */
  roundMs: number;
  /** Warm-up per variant before its rounds, ms. */
  warmupMs: number;
  /** The "1,000,000 sessions" of the issue (scaled down in quick mode). */
  scale: number;
  /** Callbacks run at the end of the run (stop servers, close clients). */
  teardown: (() => Promise<void>)[];
  /** Shared set-ups (a populated Redis) built once, used by several scenarios. */
  fixtures: Map<string, Promise<unknown>>;
}

/** One scenario of the issue. */
export interface Scenario {
  id: string;
  title: string;
  run(ctx: BenchContext): Promise<ScenarioResult>;
}

/** Reads `--quick` and `--only=1,3` from the arguments. */
export function parseArgs(argv: string[]): { quick: boolean; only?: Set<string> } {
  const quick = argv.includes('--quick');
  const onlyArg = argv.find((arg) => arg.startsWith('--only='));
  const only = onlyArg ? new Set(onlyArg.slice('--only='.length).split(',')) : undefined;
  return { quick, only };
}

/** A fixture built at most once per run. */
export function fixture<T>(ctx: BenchContext, key: string, build: () => Promise<T>): Promise<T> {
  let existing = ctx.fixtures.get(key) as Promise<T> | undefined;
  if (!existing) {
    existing = build();
    ctx.fixtures.set(key, existing);
  }
  return existing;
}

/** `1000000` -> `1M`, `100000` -> `100k`. */
export function fmtCount(n: number): string {
  if (n >= 1e6 && n % 1e6 === 0) return `${n / 1e6}M`;
  if (n >= 1e3 && n % 1e3 === 0) return `${n / 1e3}k`;
  return String(n);
}
