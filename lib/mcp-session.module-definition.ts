import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { McpSessionModuleOptions } from './interfaces/mcp-session-options.interface';

/** Options that shape the module itself, given to `forRoot` and `forRootAsync` alike. */
export interface McpSessionModuleExtras {
  /** Register the module globally, so that feature modules need not import it. Default false. */
  isGlobal?: boolean;
}

export const {
  ConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: MCP_SESSION_MODULE_OPTIONS,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<McpSessionModuleOptions>({ moduleName: 'McpSession' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createMcpSessionOptions')
  .setExtras<McpSessionModuleExtras>({ isGlobal: false }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal ?? false,
  }))
  .build();
