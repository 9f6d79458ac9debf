import type { BenchContext, Scenario } from '../support/context';
import { median, pairedRatio, summarize } from '../support/measure';
import { progress } from '../support/progress';
import { benchRedis, stopRedis } from '../support/redis';
import { ratioAtLeast, row, type ScenarioResult, type Target } from '../support/report';
import {
  CONNECTIONS,
  SESSIONS,
  round,
  startApp,
  type AppProcess,
  type HttpRound,
} from '../http/load';

/** Scenario 4: tools/call through a real Nest MCP app, session layer on vs off. */
export const httpToolsCall: Scenario = {
  id: '4',
  title: 'HTTP: tools/call through a Nest MCP app',
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const seconds = ctx.quick ? 1 : 3;
    const rounds = ctx.quick ? 3 : 5;
    const node = await benchRedis();
    const apps: AppProcess[] = [];
    try {
      // [name, mode, target]: the first app is the baseline.
      const plan: [string, string, Target | undefined][] = [
        ['session layer off (SDK transports in a Map)', 'plain', undefined],
        ['transports (the sample endpoint), memory store', 'transports', ratioAtLeast(0.9)],
        [
          'transports (the sample endpoint), caching over Redis',
          'transports-caching',
          ratioAtLeast(0.85),
        ],
        ['interceptor + transports, memory store', 'memory', ratioAtLeast(0.9)],
        ['interceptor + transports, caching over Redis', 'caching', ratioAtLeast(0.85)],
        ['interceptor alone on SDK transports, memory store', 'interceptor', undefined],
        ['no-op Nest interceptor on SDK transports', 'noop', undefined],
      ];
      for (const [name, mode] of plan) apps.push(await startApp(name, mode, node.port));
      for (const app of apps) await round(app, 1);
      const results: HttpRound[][] = apps.map(() => []);
      for (let r = 0; r < rounds; r++) {
        const order = apps.map((_, i) => i);
        if (r % 2 === 1) order.reverse();
        for (const i of order) {
          const result = await round(apps[i], seconds);
          results[i].push(result);
          progress(
            `s4 round ${r + 1}/${rounds} ${apps[i].name}: ${Math.round(result.perSec)} req/s, ` +
              `${Math.round(result.cpuPerRequest)} µs CPU/request`,
          );
        }
      }
      const summaries = apps.map((app, i) => summarize(app.name, results[i]));
      const off = summaries[0];
      const cpu = (k: number) => median(results[k].map((x) => x.cpuPerRequest));
      const subjects = plan.map((_, k) => k).slice(1);
      return {
        id: this.id,
        title: this.title,
        setup:
          `autocannon, ${CONNECTIONS} connections, ${SESSIONS} sessions round-robin, JSON responses, ` +
          `${rounds} alternating rounds of ${seconds} s; each app in its own process (Express); ` +
          `baseline p50 ${off.p50Ms} ms, p99 ${off.p99Ms} ms. App CPU per request: ` +
          `ratio = baseline CPU / subject CPU (requests per CPU-second, the ratio a saturated core would show)`,
        rows: [
          ...subjects.map((k) =>
            row({
              subject: summaries[k].name,
              unit: 'req/s',
              value: summaries[k].perSec,
              p50Ms: summaries[k].p50Ms,
              p99Ms: summaries[k].p99Ms,
              baselineName: 'session layer off',
              baseline: off.perSec,
              ratio: pairedRatio(summaries[k], off),
              target: plan[k][2],
              note: plan[k][2] ? undefined : 'orientation',
            }),
          ),
          ...subjects.map((k) =>
            row({
              subject: `${summaries[k].name}: app CPU per request`,
              unit: 'µs',
              value: cpu(k),
              baselineName: 'session layer off',
              baseline: cpu(0),
              ratio: median(
                results[k].map((x, r) => results[0][r].cpuPerRequest / x.cpuPerRequest),
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
      await stopRedis(node);
    }
  },
};
