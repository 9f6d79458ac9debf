import { Inject } from '@nestjs/common';
import { MCP_SESSION_OPTIONS } from './mcp-session.constants';
import { SessionStore } from './session-store';

/** Injects the configured {@link SessionStore} (same as injecting by type). */
export const InjectSessionStore = (): PropertyDecorator & ParameterDecorator =>
  Inject(SessionStore);

/** Injects the resolved `McpSessionOptions`. */
export const InjectMcpSessionOptions = (): PropertyDecorator & ParameterDecorator =>
  Inject(MCP_SESSION_OPTIONS);
