import type { BenchContext } from '../support/context';
import { median, pairedRatio, summarize } from '../support/measure';
import { progress } from '../support/progress';
import { benchRedis, stopRedis } from '../support/redis';
import { row, type Row, type ScenarioResult, type Target } from '../support/report';
import {
  CONNECTIONS,
  SESSIONS,
  round,
  startApp,
  type AppProcess,
  type HttpRound,
  type Traffic,
} from './load';

/** How one app of a comparison differs from the comparison's defaults. */
export interface AppOptions {
  /** What it is sent; the comparison's traffic by default. */
  traffic?: Traffic;
}

/** One app of a comparison: `[name, server.ts mode, target, options]`; the first is the baseline. */
export type PlannedApp = [
  name: string,
  mode: string,
  target: Target | undefined,
  options?: AppOptions,
];

/** One row of a comparison: an app (index in the plan) against another. */
export interface PlannedRow {
  subject: number;
  baseline: number;
  target?: Target;
  /** The subject as the row names it; the app's name by default. */
  label?: string;
}

/** What an HTTP comparison measures. */
export interface Comparison {
  id: string;
  title: string;
  plan: PlannedApp[];
  /** The first app's short name in the table. */
  baselineName: string;
  /** The apps serve MCP 2026-07-28 requests (no sessions, no Redis). */
  modern?: boolean;
  /** No app uses Redis: none is started. */
  noRedis?: boolean;
  /** The rows; by default every other app against the first, with its plan's target. */
  rows?: PlannedRow[];
  /** Added to the setup line. */
  note?: string;
}

/** Each round's figure of one app, by round. */
type Rounds = HttpRound[][];

function comparisonRows(spec: Comparison, results: Rounds, names: string[]): Row[] {
  const planned: PlannedRow[] =
    spec.rows ??
    spec.plan.slice(1).map((app, k) => ({ subject: k + 1, baseline: 0, target: app[2] }));
  const summaries = results.map((rounds, k) => summarize(names[k], rounds));
  const cpu = (k: number) => median(results[k].map((x) => x.cpuPerRequest));
  const baselineName = (k: number) => (k === 0 ? spec.baselineName : names[k]);
  const label = (p: PlannedRow) => p.label ?? names[p.subject];
  return [
    ...planned.map((p) =>
      row({
        subject: label(p),
        unit: 'req/s',
        value: summaries[p.subject].perSec,
        p50Ms: summaries[p.subject].p50Ms,
        p99Ms: summaries[p.subject].p99Ms,
        baselineName: baselineName(p.baseline),
        baseline: summaries[p.baseline].perSec,
        ratio: pairedRatio(summaries[p.subject], summaries[p.baseline]),
        target: p.target,
        note: p.target ? undefined : 'orientation',
      }),
    ),
    ...planned.map((p) =>
      row({
        subject: `${label(p)}: app CPU per request`,
        unit: 'µs',
        value: cpu(p.subject),
        baselineName: baselineName(p.baseline),
        baseline: cpu(p.baseline),
        ratio: median(
          results[p.subject].map((x, r) => results[p.baseline][r].cpuPerRequest / x.cpuPerRequest),
        ),
      }),
    ),
  ];
}

/**
 * Runs `tools/call` load against every app of the plan (each in its own
 * process) in alternating rounds, and lists throughput and CPU per request
 * of each row's app against its baseline's.
 */
export async function compareApps(ctx: BenchContext, spec: Comparison): Promise<ScenarioResult> {
  // Quick mode (a smoke check within two minutes in all): two short rounds.
  const seconds = ctx.quick ? 0.5 : 3;
  const rounds = ctx.quick ? 2 : 5;
  const warmup = 1;
  const node = spec.modern || spec.noRedis ? undefined : await benchRedis();
  const traffic = (k: number): Traffic =>
    spec.plan[k][3]?.traffic ?? (spec.modern ? 'modern' : 'session');
  const apps: AppProcess[] = [];
  try {
    // Started side by side (a start is mostly module loading); those that started are stopped below.
    const started = await Promise.allSettled(
      spec.plan.map(([name, mode], k) => startApp(name, mode, node?.port, traffic(k))),
    );
    for (const outcome of started) if (outcome.status === 'fulfilled') apps.push(outcome.value);
    const failed = started.find((outcome) => outcome.status === 'rejected');
    if (failed) throw failed.reason;
    progress(`s${spec.id}: ${apps.length} apps started, sessions open`);
    for (const app of apps) await round(app, warmup);
    const results: Rounds = apps.map(() => []);
    for (let r = 0; r < rounds; r++) {
      const order = apps.map((_, i) => i);
      if (r % 2 === 1) order.reverse();
      for (const i of order) {
        const result = await round(apps[i], seconds);
        results[i].push(result);
        progress(
          `s${spec.id} round ${r + 1}/${rounds} ${apps[i].name}: ${Math.round(result.perSec)} req/s, ` +
            `${Math.round(result.cpuPerRequest)} µs CPU/request`,
        );
      }
    }
    const base = summarize(apps[0].name, results[0]);
    const kinds = new Set(apps.map((app) => app.traffic));
    const spread = [
      kinds.has('session') ? `${SESSIONS} sessions round-robin (2025-11-25)` : '',
      kinds.has('stateless') ? 'stateless 2025-11-25 requests (no session)' : '',
      kinds.has('modern') ? 'no sessions (2026-07-28)' : '',
    ]
      .filter(Boolean)
      .join(', ');
    return {
      id: spec.id,
      title: spec.title,
      setup:
        `autocannon, ${CONNECTIONS} connections, ${spread}, JSON responses, ` +
        `${rounds} alternating rounds of ${seconds} s after ${warmup} s of warm-up; each app in its own process (Express); ` +
        `${spec.baselineName} p50 ${base.p50Ms} ms, p99 ${base.p99Ms} ms. App CPU per request: ` +
        `ratio = baseline CPU / subject CPU (requests per CPU-second, the ratio a saturated core would show)` +
        (spec.note ? `. ${spec.note}` : ''),
      rows: comparisonRows(
        spec,
        results,
        apps.map((app) => app.name),
      ),
    };
  } finally {
    await Promise.all(
      apps.map(async (app) => {
        const exited = new Promise((resolve) => app.child.once('exit', resolve));
        app.child.disconnect();
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3000))]);
        if (app.child.exitCode === null) app.child.kill();
      }),
    );
    if (node) await stopRedis(node);
  }
}
