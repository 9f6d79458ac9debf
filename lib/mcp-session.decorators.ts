import { createParamDecorator, type ExecutionContext, Inject } from '@nestjs/common';
import { getMcpSession } from './gate/mcp-session.request';
import { MCP_SESSION_OPTIONS } from './mcp-session.constants';
import { SessionStore } from './contract/session-store';

/** Injects the configured {@link SessionStore} (same as injecting by type). */
export const InjectSessionStore = (): PropertyDecorator & ParameterDecorator =>
  Inject(SessionStore);

/** Injects the resolved `McpSessionOptions`. */
export const InjectMcpSessionOptions = (): PropertyDecorator & ParameterDecorator =>
  Inject(MCP_SESSION_OPTIONS);

/**
 * Route parameter decorator: the `SessionRecord` that `McpSessionInterceptor`
 * extended for this request, or `undefined` when the request carried no
 * session id (an `initialize`, or a client without sessions).
 */
export const McpSession = createParamDecorator((_data: unknown, context: ExecutionContext) =>
  getMcpSession(context.switchToHttp().getRequest<object>()),
);
