import { routingCases } from './routing.cases';

// Servers on SDK v2 (@modelcontextprotocol/server), clients of both lines.
describe('2025 sessions across instances (SDK v2 servers)', () => {
  routingCases(2);
});
