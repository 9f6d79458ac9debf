import { compareApps } from '../http/comparison';
import type { BenchContext, Scenario } from '../support/context';
import { ratioAtLeast, type ScenarioResult } from '../support/report';

/** Scenario 9: a 2026-07-28 tools/call through our endpoint vs SDK v2's bare createMcpHandler. */
export const httpModernCall: Scenario = {
  id: '9',
  title: 'HTTP: MCP 2026-07-28 tools/call, our endpoint vs the bare createMcpHandler',
  run(ctx: BenchContext): Promise<ScenarioResult> {
    return compareApps(ctx, {
      id: this.id,
      title: this.title,
      baselineName: 'bare createMcpHandler',
      modern: true,
      plan: [
        ['bare createMcpHandler (SDK v2, toNodeHandler)', 'modern-bare', undefined],
        ['McpSessionTransports.handle (the sample endpoint)', 'modern-ours', ratioAtLeast(0.95)],
      ],
    });
  },
};
