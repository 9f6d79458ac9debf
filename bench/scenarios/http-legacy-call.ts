import { compareApps } from '../http/comparison';
import type { BenchContext, Scenario } from '../support/context';
import { ratioAtLeast, type ScenarioResult } from '../support/report';

/**
 * Scenario 11: a 2025-era tools/call in a session through our dual-era
 * endpoint (memory store) vs SDK v2's own sessionful example (transports in
 * a Map of the process), the same server on both.
 */
export const httpLegacyCall: Scenario = {
  id: '11',
  title: 'HTTP: MCP 2025-11-25 tools/call in a session, our endpoint vs the SDK sessionful example',
  run(ctx: BenchContext): Promise<ScenarioResult> {
    return compareApps(ctx, {
      id: this.id,
      title: this.title,
      baselineName: 'SDK transports in a Map',
      noRedis: true,
      plan: [
        [
          'SDK v2 sessionful example (NodeStreamableHTTPServerTransport in a Map)',
          'legacy-sdk',
          undefined,
        ],
        [
          'McpSessionTransports.handle (the sample endpoint), memory store',
          'legacy-ours',
          ratioAtLeast(0.95),
        ],
      ],
    });
  },
};
