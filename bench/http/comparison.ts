import type { BenchContext } from '../support/context';
import { median, pairedRatio, summarize } from '../support/measure';
import { progress } from '../support/progress';
import { benchRedis, stopRedis } from '../support/redis';
import { row, type ScenarioResult, type Target } from '../support/report';
import { CONNECTIONS, SESSIONS, round, startApp, type AppProcess, type HttpRound } from './load';

/** One app of a comparison: `[name, server.ts mode, target]`; the first is the baseline. */
export type PlannedApp = [name: string, mode: string, target: Target | undefined];

/** What an HTTP comparison measures. */
export interface Comparison {
  id: string;
  title: string;
  plan: PlannedApp[];
  /** The baseline's short name in the table. */
  baselineName: string;
  /** The apps serve MCP 2026-07-28 requests (no sessions, no Redis). */
  modern?: boolean;
}

/**
 * Runs `tools/call` load against every app of the plan (each in its own
 * process) in alternating rounds, and lists each app's throughput and CPU
 * per request against the first app's.
 */
export async function compareApps(ctx: BenchContext, spec: Comparison): Promise<ScenarioResult> {
  const seconds = ctx.quick ? 1 : 3;
  const rounds = ctx.quick ? 3 : 5;
  const node = spec.modern ? undefined : await benchRedis();
  const apps: AppProcess[] = [];
  try {
    for (const [name, mode] of spec.plan)
      apps.push(await startApp(name, mode, node?.port, spec.modern));
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
    const subjects = spec.plan.map((_, k) => k).slice(1);
    const spread = spec.modern ? 'no sessions (2026-07-28)' : `${SESSIONS} sessions round-robin`;
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
            subject: summaries[k].name,
            unit: 'req/s',
            value: summaries[k].perSec,
            p50Ms: summaries[k].p50Ms,
            p99Ms: summaries[k].p99Ms,
            baselineName: spec.baselineName,
            baseline: base.perSec,
            ratio: pairedRatio(summaries[k], base),
            target: spec.plan[k][2],
            note: spec.plan[k][2] ? undefined : 'orientation',
          }),
        ),
        ...subjects.map((k) =>
          row({
            subject: `${summaries[k].name}: app CPU per request`,
            unit: 'µs',
            value: cpu(k),
            baselineName: spec.baselineName,
            baseline: cpu(0),
            ratio: median(results[k].map((x, r) => results[0][r].cpuPerRequest / x.cpuPerRequest)),
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
