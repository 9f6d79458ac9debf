import type { BenchContext } from '../support/context';
import { median, pairedRatio, summarize } from '../support/measure';
import { progress } from '../support/progress';
import { benchRedis, stopRedis } from '../support/redis';
import { row, type ScenarioResult, type Target } from '../support/report';
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
  /** The app (index in the plan) this one is compared with; the first by default. */
  baseline?: number;
  /** What it is sent; the comparison's traffic by default. */
  traffic?: Traffic;
  /** Its row's subject, when it should differ from the app's name. */
  subject?: string;
}

/**
 * One app of a comparison: `[name, server.ts mode, target, options]`; the
 * first is the baseline (and apps that are only baselines have no row of
 * their own when another app's options name them).
 */
export type PlannedApp = [
  name: string,
  mode: string,
  target: Target | undefined,
  options?: AppOptions,
];

/** What an HTTP comparison measures. */
export interface Comparison {
  id: string;
  title: string;
  plan: PlannedApp[];
  /** The baseline's short name in the table. */
  baselineName: string;
  /** The apps serve MCP 2026-07-28 requests (no sessions, no Redis). */
  modern?: boolean;
  /** No app uses Redis: none is started. */
  noRedis?: boolean;
  /** Apps (plan indices) that get no row of their own (baselines of other rows). */
  baselinesOnly?: number[];
}

/**
 * Runs `tools/call` load against every app of the plan (each in its own
 * process) in alternating rounds, and lists each app's throughput and CPU
 * per request against the first app's.
 */
export async function compareApps(ctx: BenchContext, spec: Comparison): Promise<ScenarioResult> {
  const seconds = ctx.quick ? 1 : 3;
  const rounds = ctx.quick ? 3 : 5;
  const node = spec.modern || spec.noRedis ? undefined : await benchRedis();
  const traffic = (k: number): Traffic =>
    spec.plan[k][3]?.traffic ?? (spec.modern ? 'modern' : 'session');
  const apps: AppProcess[] = [];
  try {
    for (const [k, [name, mode]] of spec.plan.entries())
      apps.push(await startApp(name, mode, node?.port, traffic(k)));
    for (const app of apps) await round(app, 1);
    const results: HttpRound[][] = apps.map(() => []);
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
    const summaries = apps.map((app, i) => summarize(app.name, results[i]));
    const base = summaries[0];
    const cpu = (k: number) => median(results[k].map((x) => x.cpuPerRequest));
    const baselineOf = (k: number) => spec.plan[k][3]?.baseline ?? 0;
    const baselineName = (k: number) =>
      baselineOf(k) === 0 ? spec.baselineName : spec.plan[baselineOf(k)][0];
    const subjects = spec.plan
      .map((_, k) => k)
      .filter((k) => k !== 0 && !spec.baselinesOnly?.includes(k));
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
        `${rounds} alternating rounds of ${seconds} s; each app in its own process (Express); ` +
        `baseline p50 ${base.p50Ms} ms, p99 ${base.p99Ms} ms. App CPU per request: ` +
        `ratio = baseline CPU / subject CPU (requests per CPU-second, the ratio a saturated core would show)`,
      rows: [
        ...subjects.map((k) =>
          row({
            subject: spec.plan[k][3]?.subject ?? summaries[k].name,
            unit: 'req/s',
            value: summaries[k].perSec,
            p50Ms: summaries[k].p50Ms,
            p99Ms: summaries[k].p99Ms,
            baselineName: baselineName(k),
            baseline: summaries[baselineOf(k)].perSec,
            ratio: pairedRatio(summaries[k], summaries[baselineOf(k)]),
            target: spec.plan[k][2],
            note: spec.plan[k][2] ? undefined : 'orientation',
          }),
        ),
        ...subjects.map((k) =>
          row({
            subject: `${spec.plan[k][3]?.subject ?? summaries[k].name}: app CPU per request`,
            unit: 'µs',
            value: cpu(k),
            baselineName: baselineName(k),
            baseline: cpu(baselineOf(k)),
            ratio: median(
              results[k].map((x, r) => results[baselineOf(k)][r].cpuPerRequest / x.cpuPerRequest),
            ),
          }),
        ),
      ],
    };
  } finally {
    for (const app of apps) {
      const exited = new Promise((resolve) => app.child.once('exit', resolve));
      app.child.disconnect();
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3000))]);
      if (app.child.exitCode === null) app.child.kill();
    }
    if (node) await stopRedis(node);
  }
}
