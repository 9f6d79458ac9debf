// Hostile input for the fault suite: requests generated with fast-check,
// and corrupt values of every kind written over stored sessions.
import fc from 'fast-check';
import type { Redis } from 'ioredis';
import { INITIALIZE } from './fault-load';

/** `text` with every character outside printable ASCII replaced by `by`. */
function printable(text: string, by = ''): string {
  return [...text].map((c) => (c >= ' ' && c <= '~' ? c : by)).join('');
}

/** Header text fetch can send: printable ASCII (fetch refuses control characters). */
function headerText(maxLength: number): fc.Arbitrary<string> {
  return fc.string({ unit: 'binary-ascii', maxLength }).map((text) => printable(text).trim());
}

/** An `initialize` whose clientInfo is nested `depth` levels deep (16-36 KB at 6 000-12 000). */
function deepInitialize(depth: number): string {
  const params = `{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"deep","version":"1","x":${'['.repeat(depth)}${']'.repeat(depth)}}}`;
  return `{"jsonrpc":"2.0","id":0,"method":"initialize","params":${params}}`;
}

/** One hostile request. */
export interface HostileRequest {
  method: string;
  headers: Record<string, string>;
  body?: string;
}

/** Hostile requests: odd methods, headers of any shape, and bodies from valid JSON-RPC to deep, huge and broken. */
export function hostileRequests(liveIds: string[]): fc.Arbitrary<HostileRequest> {
  const sessionId = fc.oneof(
    headerText(300),
    fc.constantFrom(...liveIds, 'mcph_abc', '00000000-0000-0000-0000-000000000000'),
    fc.uuid(),
    fc
      .string({ unit: 'binary-ascii', minLength: 256, maxLength: 2_000 })
      .map((text) => printable(text, 'x').replace(/ /g, 'x')),
  );
  const body = fc.oneof(
    fc.json({ maxDepth: 6 }),
    fc.string({ maxLength: 200 }),
    fc.constant(JSON.stringify(INITIALIZE)),
    fc
      .record({
        jsonrpc: fc.constantFrom('2.0', '1.0', 2),
        id: fc.oneof(fc.integer(), fc.string(), fc.constant(null)),
        method: fc.constantFrom(
          'initialize',
          'tools/call',
          'tools/list',
          'ping',
          'server/discover',
          'nope',
        ),
        params: fc.jsonValue({ maxDepth: 4 }),
      })
      .map((message) => JSON.stringify(message)),
    fc.integer({ min: 1_000, max: 12_000 }).map(deepInitialize),
    fc.integer({ min: 70_000, max: 95_000 }).map((size) =>
      JSON.stringify({
        ...INITIALIZE,
        params: { ...INITIALIZE.params, clientInfo: { name: 'x'.repeat(size), version: '1' } },
      }),
    ),
    fc.constant('{"jsonrpc":"2.0","id":1,"method":"tools/list"'),
    fc.constant('\u0000\uffff'),
  );
  return fc.record(
    {
      method: fc.constantFrom('POST', 'POST', 'POST', 'GET', 'DELETE', 'PUT'),
      headers: fc.record(
        {
          'mcp-session-id': sessionId,
          'content-type': fc.oneof(
            fc.constantFrom(
              'application/json',
              'text/plain',
              'application/json; charset=utf-8',
              '',
            ),
            headerText(60),
          ),
          accept: fc.oneof(fc.constant('application/json, text/event-stream'), headerText(60)),
          origin: fc.oneof(fc.webUrl(), headerText(60), fc.constant('null')),
          'mcp-protocol-version': fc.oneof(
            fc.constantFrom('2025-11-25', '2026-07-28', '2025-03-26', '1999-01-01'),
            headerText(30),
          ),
          'mcp-method': headerText(40),
        },
        { requiredKeys: [] },
      ),
      body: fc.option(body, { nil: undefined }),
    },
    { requiredKeys: ['method', 'headers'] },
  );
}

/** A way of spoiling a stored record: over its key in Redis (`value` is the stored one). */
export interface Corruption {
  kind: string;
  write(redis: Redis, key: string, value: string): Promise<unknown>;
}

const set =
  (text: string | ((value: string) => string | Buffer) | Buffer) =>
  (redis: Redis, key: string, value: string) =>
    redis.set(key, typeof text === 'function' ? text(value) : text);

/** Corrupt values of every kind: not JSON, wrong JSON, broken layout, binary, huge, and keys of another type. */
export const CORRUPTIONS: Corruption[] = [
  { kind: 'not JSON', write: set('garbage{') },
  { kind: 'empty string', write: set('') },
  { kind: 'truncated', write: set((value) => value.slice(0, Math.floor(value.length / 2))) },
  { kind: 'JSON null', write: set('null') },
  { kind: 'JSON number', write: set('42') },
  { kind: 'JSON array', write: set('[1,2,3]') },
  { kind: 'foreign object', write: set('{"hello":"world"}') },
  { kind: 'unknown version', write: set((value) => value.replace(/^\{"v":\d/, '{"v":9')) },
  {
    kind: 'times not numbers',
    write: set((value) => value.replace(/"a":[^,]*/, '"a":"yesterday    "')),
  },
  { kind: 'unknown field', write: set((value) => value.replace(/}$/, ',"zz":1}')) },
  { kind: 'binary', write: set(Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x7b])) },
  { kind: 'huge (2 MB)', write: set(`{"v":2,"x":"${'a'.repeat(2_000_000)}"}`) },
  { kind: 'hash', write: (redis, key) => redis.multi().del(key).hset(key, 'a', '1').exec() },
  { kind: 'list', write: (redis, key) => redis.multi().del(key).rpush(key, 'a').exec() },
  { kind: 'set', write: (redis, key) => redis.multi().del(key).sadd(key, 'a').exec() },
  { kind: 'sorted set', write: (redis, key) => redis.multi().del(key).zadd(key, 1, 'a').exec() },
];
