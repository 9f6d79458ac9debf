import { Injectable } from '@nestjs/common';
import type { McpServerFactory, McpSessionServer, SessionRecord } from '../lib';
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
 * The sample's server factory (registered as `MCP_SERVER_FACTORY`): one fresh
 * server per session, built from the feature set `MCP_SAMPLE_MODE` selects.
 */
@Injectable()
export class SampleServerFactory implements McpServerFactory {
  private readonly mode = sampleMode();

  constructor(private readonly tools: SessionToolsService) {}

  createServer(record: SessionRecord): McpSessionServer {
    return this.mode === 'conformance'
      ? createConformanceServer()
      : createSampleServer(record, this.tools);
  }
}
