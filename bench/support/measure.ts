import { createHistogram } from 'node:perf_hooks';
import { progress } from './progress';

/** One timed round of one variant. */
export interface RoundResult {
  ops: number;
  perSec: number;
  p50Ms: number;
  p99Ms: number;
}

/** A variant of a throughput comparison: a name and one operation. */
export interface Variant {
  name: string;
  /** One request; `i` is a running counter (spread it over ids as needed). */
  op: (i: number) => Promise<unknown>;
  /** Runs once before the variant's rounds (warm-up excluded from figures). */
  before?: () => Promise<void>;
}

/** Median figures of one variant over all rounds. */
export interface VariantSummary {
  name: string;
  perSec: number;
  p50Ms: number;
  p99Ms: number;
  rounds: RoundResult[];
}

/** Median of a list of numbers (NaN when empty). */
export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Runs `op` with `inFlight` calls outstanding at all times for `durationMs`,
 * recording every call's latency.
 */
export async function closedLoop(
  op: (i: number) => Promise<unknown>,
  inFlight: number,
  durationMs: number,
): Promise<RoundResult> {
  const histogram = createHistogram();
  let ops = 0;
  const start = performance.now();
  const end = start + durationMs;
  let done = false;
  const worker = async (w: number): Promise<void> => {
    let i = w;
    while (!done) {
      const t0 = process.hrtime.bigint();
      await op(i);
      histogram.record(Math.max(1, Number(process.hrtime.bigint() - t0)));
      ops++;
      i += inFlight;
      if ((ops & 31) === 0 && performance.now() >= end) done = true;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, (_, w) => worker(w)));
  const elapsed = performance.now() - start;
  return {
    ops,
    perSec: (ops / elapsed) * 1000,
    p50Ms: histogram.percentile(50) / 1e6,
    p99Ms: histogram.percentile(99) / 1e6,
  };
}

/** How a comparison runs: rounds, time per round, calls in flight, warm-up. */
export interface CompareOptions {
  label: string;
  rounds: number;
  roundMs: number;
  inFlight: number;
  warmupMs: number;
}

/**
 * Runs every variant in alternating rounds (the order flips each round so
 * that drift on a shared machine hits all variants alike), after a warm-up
 * of each, and returns each variant's medians and rounds; compare two of
 * them round by round with {@link pairedRatio}.
 */
export async function compare(
  variants: Variant[],
  options: CompareOptions,
): Promise<VariantSummary[]> {
  for (const variant of variants) {
    await variant.before?.();
    await closedLoop(variant.op, options.inFlight, options.warmupMs);
  }
  const rounds: RoundResult[][] = variants.map(() => []);
  for (let r = 0; r < options.rounds; r++) {
    const order = variants.map((_, i) => i);
    if (r % 2 === 1) order.reverse();
    for (const i of order) {
      // In-process stores resolve in microtasks only: give timers and signal
      // handlers (Ctrl-C) a turn between rounds.
      await new Promise((resolve) => setImmediate(resolve));
      const result = await closedLoop(variants[i].op, options.inFlight, options.roundMs);
      rounds[i].push(result);
      progress(
        `${options.label} round ${r + 1}/${options.rounds} ${variants[i].name}: ` +
          `${fmtRate(result.perSec)}/s p50 ${result.p50Ms.toFixed(2)} ms`,
      );
    }
  }
  return variants.map((variant, i) => summarize(variant.name, rounds[i]));
}

/** Medians of a list of rounds. */
export function summarize(name: string, rounds: RoundResult[]): VariantSummary {
  return {
    name,
    perSec: median(rounds.map((r) => r.perSec)),
    p50Ms: median(rounds.map((r) => r.p50Ms)),
    p99Ms: median(rounds.map((r) => r.p99Ms)),
    rounds,
  };
}

/** Median over rounds of subject/baseline throughput, round by round. */
export function pairedRatio(subject: VariantSummary, baseline: VariantSummary): number {
  const n = Math.min(subject.rounds.length, baseline.rounds.length);
  const ratios: number[] = [];
  for (let r = 0; r < n; r++) ratios.push(subject.rounds[r].perSec / baseline.rounds[r].perSec);
  return median(ratios);
}

/** `123456` -> `123k`, `1234` -> `1.23k`. */
export function fmtRate(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value >= 1e5) return `${Math.round(value / 1e3)}k`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(value >= 1e4 ? 1 : 2)}k`;
  return value.toFixed(value >= 100 ? 0 : 1);
}
