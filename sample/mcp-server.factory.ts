import { Injectable } from '@nestjs/common';
import type { McpServerContext, McpServerFactory, McpSessionServer } from '../lib';
import { createConformanceServer } from './conformance/conformance-server';
import { createSampleServer } from './sample-server';
import { SessionToolsService } from './session-tools.service';

/** Which feature set the sample serves: `MCP_SAMPLE_MODE=conformance` or the default `sample`. */
export type SampleMode = 'sample' | 'conformance';

/** Reads `MCP_SAMPLE_MODE`. @throws Error naming the variable for an unknown mode. */
export function sampleMode(env: NodeJS.ProcessEnv = process.env): SampleMode {
  const mode = env.MCP_SAMPLE_MODE ?? 'sample';
  if (mode !== 'sample' && mode !== 'conformance') {
    throw new Error(`MCP_SAMPLE_MODE must be "sample" or "conformance", got "${mode}"`);
  }
  return mode;
}

/**
 * The sample's server factory (registered as `MCP_SERVER_FACTORY`): a fresh
 * server per 2025-era session and per 2026-07-28 request, built from the
 * feature set `MCP_SAMPLE_MODE` selects.
 */
@Injectable()
export class SampleServerFactory implements McpServerFactory {
  private readonly mode = sampleMode();

  constructor(private readonly tools: SessionToolsService) {}

  createServer(context: McpServerContext): McpSessionServer {
    return this.mode === 'conformance'
      ? createConformanceServer(context)
      : createSampleServer(context, this.tools);
  }
}
