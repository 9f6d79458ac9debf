import { compareApps } from '../http/comparison';
import type { BenchContext, Scenario } from '../support/context';
import { ratioAtLeast, type ScenarioResult } from '../support/report';

/**
 * Scenario 12: the peer Nest users have, `@rekog/mcp-nest` 2.x, stateful and
 * stateless, serving the same `echo` tool as our endpoint (memory store) in
 * the same run; and rekog with its sessions in our store
 * (`McpSessionHttpTransport`) against rekog's own stateful mode.
 */
export const httpRekog: Scenario = {
  id: '12',
  title: 'HTTP: 2025-11-25 tools/call, our endpoint vs @rekog/mcp-nest 2.x (stateful, stateless)',
  run(ctx: BenchContext): Promise<ScenarioResult> {
    return compareApps(ctx, {
      id: this.id,
      title: this.title,
      baselineName: 'rekog stateful',
      noRedis: true,
      note: "rekog's own published figures, on its machine: 3,634 req/s stateful, 2,871 stateless at 10 connections",
      plan: [
        ['rekog stateful (StreamableHttpTransport, statefulMode)', 'rekog-stateful', undefined],
        ['rekog stateless', 'rekog-stateless', undefined, { traffic: 'stateless' }],
        [
          'McpSessionTransports.handle (the sample endpoint), memory store',
          'legacy-ours',
          undefined,
        ],
        ['rekog + McpSessionHttpTransport (sessions in our memory store)', 'rekog-ours', undefined],
      ],
      rows: [
        { subject: 2, baseline: 0, target: ratioAtLeast(1) },
        { subject: 2, baseline: 1, target: ratioAtLeast(1) },
        { subject: 3, baseline: 0 },
        { subject: 1, baseline: 0 },
      ],
    });
  },
};
