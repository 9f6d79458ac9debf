import { routingCases } from './routing.cases';

// An application with SDK v1 only: @modelcontextprotocol/server is not installed.
jest.mock('@modelcontextprotocol/server', () => {
  const missing = new Error("Cannot find module '@modelcontextprotocol/server'");
  Object.assign(missing, { code: 'MODULE_NOT_FOUND' });
  throw missing;
});

describe('2025 sessions across instances (SDK v1 servers)', () => {
  routingCases(1);
});
