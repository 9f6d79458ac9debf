import { outageCases } from './routing-outage.cases';

// Servers on SDK v2 (@modelcontextprotocol/server), clients of both lines.
describe('Redis stopped while a 2025 server request waits for its answer (SDK v2 servers)', () => {
  outageCases(2);
});
