import { ConfigurableModuleBuilder, type Provider } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { McpSessionInterceptor } from './interceptors/mcp-session.interceptor';
import type { McpSessionModuleOptions } from './interfaces/mcp-session-options.interface';

/** Options that shape the module itself, given to `forRoot` and `forRootAsync` alike. */
export interface McpSessionModuleExtras {
  /** Register the module globally, so that feature modules need not import it. Default false. */
  isGlobal?: boolean;
  /**
   * Register `McpSessionInterceptor` for every route of the application
   * (`APP_INTERCEPTOR`). Requests without an `mcp-session-id` header pass
   * through it untouched. Default false.
   */
  globalInterceptor?: boolean;
}

const globalInterceptorProvider: Provider = {
  provide: APP_INTERCEPTOR,
  useExisting: McpSessionInterceptor,
};

export const {
  ConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: MCP_SESSION_MODULE_OPTIONS,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<McpSessionModuleOptions>({ moduleName: 'McpSession' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createMcpSessionOptions')
  .setExtras<McpSessionModuleExtras>(
    { isGlobal: false, globalInterceptor: false },
    (definition, extras) => ({
      ...definition,
      global: extras.isGlobal ?? false,
      providers: extras.globalInterceptor
        ? [...(definition.providers ?? []), globalInterceptorProvider]
        : definition.providers,
    }),
  )
  .build();
