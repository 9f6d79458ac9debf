import { compareApps } from '../http/comparison';
import type { BenchContext, Scenario } from '../support/context';
import { ratioAtLeast, type ScenarioResult } from '../support/report';

/** Scenario 4: 2025-era tools/call through a real Nest MCP app, session layer on vs off. */
export const httpToolsCall: Scenario = {
  id: '4',
  title: 'HTTP: tools/call through a Nest MCP app',
  run(ctx: BenchContext): Promise<ScenarioResult> {
    return compareApps(ctx, {
      id: this.id,
      title: this.title,
      baselineName: 'session layer off',
      plan: [
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
      ],
    });
  },
};
