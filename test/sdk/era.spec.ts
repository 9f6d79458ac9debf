import * as fc from 'fast-check';
import { isLegacyRequest } from '@modelcontextprotocol/server';
import { knownLegacy } from '../../lib/sdk/era';

// knownLegacy answers for the SDK's isLegacyRequest where the answer is
// certain: it must never disagree with it.

const CLAIM = 'io.modelcontextprotocol/protocolVersion';
const TASK = 'io.modelcontextprotocol/related-task';

const version = fc.constantFrom(
  '2025-06-18',
  '2025-11-25',
  '2026-07-28',
  '2027-01-01',
  ' 2026-07-28\t',
  '2026-07-28, 2025-11-25',
  '',
  'x',
);
const id = fc.oneof(
  fc.integer(),
  fc.string({ maxLength: 3 }),
  fc.constantFrom(null, 1.5, 2 ** 60, -0, true),
);
const meta = fc.dictionary(
  fc.constantFrom(CLAIM, TASK, 'progressToken', 'io.modelcontextprotocol/clientInfo', 'x'),
  fc.oneof(version, id, fc.constant({}), fc.constant({ taskId: 't' })),
  { maxKeys: 3 },
);
const params = fc.oneof(
  { weight: 1, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.constantFrom([], null) },
  { weight: 2, arbitrary: fc.record({ name: fc.constant('echo') }, { requiredKeys: [] }) },
  {
    weight: 2,
    arbitrary: fc.record({ name: fc.constant('echo'), _meta: fc.oneof(meta, fc.constant(null)) }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      name: fc.constant('echo'),
      _meta: meta.map((m) => ({ ...m, [CLAIM]: m[CLAIM] })),
    }),
  },
);
const method = fc.oneof(
  fc.constantFrom('tools/call', 'initialize', 'notifications/initialized', 'ping'),
  fc.constant(7),
);
/** Mostly well-formed messages, each field sometimes missing or wrong. */
const message = fc.oneof(
  fc.record(
    {
      jsonrpc: fc.constantFrom('2.0', '1.0'),
      id,
      method,
      params,
      result: fc.constant({}),
      error: fc.constant({ code: 1, message: 'm' }),
      extra: fc.constant(1),
    },
    { requiredKeys: [] },
  ),
  fc.record(
    { jsonrpc: fc.constant('2.0'), id, method, params },
    { requiredKeys: ['jsonrpc', 'method'] },
  ),
);
const body = fc.oneof(
  { weight: 6, arbitrary: message },
  { weight: 1, arbitrary: fc.array(message, { maxLength: 2 }) },
  { weight: 1, arbitrary: fc.constantFrom(undefined, null, 'x', 3) },
);

function webRequest(method: string, header: string | undefined): Request {
  const headers = new Headers({ 'content-type': 'application/json' });
  if (header !== undefined) headers.set('mcp-protocol-version', header);
  return new Request('http://localhost/mcp', { method, headers });
}

describe('knownLegacy', () => {
  it('agrees with the SDK whenever it answers', async () => {
    const answered = { legacy: 0, modern: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('POST', 'GET', 'DELETE'),
        fc.option(version, { nil: undefined }),
        body,
        async (method, header, parsed) => {
          const web = webRequest(method, header);
          const known = knownLegacy(web.method, web.headers.get('mcp-protocol-version'), parsed);
          if (known === undefined) return;
          answered[known ? 'legacy' : 'modern']++;
          expect(known).toBe(await isLegacyRequest(web, parsed));
        },
      ),
      { numRuns: 3000 },
    );
    expect(answered.legacy).toBeGreaterThan(200);
    expect(answered.modern).toBeGreaterThan(50);
  });

  it.each([
    ['a progress token that is not an id', { params: { _meta: { progressToken: 1.5 } } }],
    ['a null progress token', { params: { _meta: { progressToken: null } } }],
    ['a related task without its id', { params: { _meta: { [TASK]: {} } } }],
    ['a fractional id', { id: 1.5 }],
    ['an unsafe integer id', { id: 2 ** 60 }],
    ['a null id', { id: null }],
    ['an extra key', { extra: 1 }],
    ['a result beside the method', { result: {} }],
    ['params that are an array', { params: [] }],
    ['an unset claim', { params: { _meta: { [CLAIM]: undefined } } }],
    [
      'a claim on initialize',
      { method: 'initialize', params: { _meta: { [CLAIM]: '2026-07-28' } } },
    ],
  ])('agrees with the SDK on %s', async (_, change) => {
    const parsed = { jsonrpc: '2.0', id: 1, method: 'ping', ...change };
    for (const header of [undefined, '2025-11-25', '2026-07-28']) {
      const web = webRequest('POST', header);
      const known = knownLegacy('POST', web.headers.get('mcp-protocol-version'), parsed);
      if (known !== undefined) expect(known).toBe(await isLegacyRequest(web, parsed));
    }
  });

  it('answers the usual traffic of both eras without the SDK', () => {
    const modern = {
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'echo', arguments: {}, _meta: { [CLAIM]: '2026-07-28' } },
    };
    const legacy = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo' } };
    const notification = { jsonrpc: '2.0', method: 'notifications/initialized' };
    const initialize = {
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'c' } },
    };
    expect(knownLegacy('POST', '2026-07-28', modern)).toBe(false);
    expect(knownLegacy('POST', '2025-11-25', legacy)).toBe(true);
    expect(knownLegacy('POST', null, initialize)).toBe(true);
    expect(knownLegacy('POST', '2025-11-25', notification)).toBe(true);
    expect(knownLegacy('GET', null, undefined)).toBe(true);
    // Left to the SDK: a posted response, a batch, a modern header without the claim.
    expect(knownLegacy('POST', null, { jsonrpc: '2.0', id: 1, result: {} })).toBeUndefined();
    expect(knownLegacy('POST', null, [legacy])).toBeUndefined();
    expect(knownLegacy('POST', '2026-07-28', legacy)).toBeUndefined();
  });
});
