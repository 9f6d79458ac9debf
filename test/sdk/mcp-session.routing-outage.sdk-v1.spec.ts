import { outageCases } from './routing-outage.cases';

// An application with SDK v1 only: @modelcontextprotocol/server is not installed.
jest.mock('@modelcontextprotocol/server', () => {
  const missing = new Error("Cannot find module '@modelcontextprotocol/server'");
  Object.assign(missing, { code: 'MODULE_NOT_FOUND' });
  throw missing;
});

describe('Redis stopped while a 2025 server request waits for its answer (SDK v1 servers)', () => {
  outageCases(1);
});
