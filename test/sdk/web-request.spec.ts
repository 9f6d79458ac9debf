import * as fc from 'fast-check';
import { toWebRequest } from '../../lib/sdk/web-http';

// toWebRequest builds the URL string itself where it parses the same: it
// must give the URL `new URL(url, 'http://<host>')` gives, or fail as it does.

function reference(url: string | undefined, host: string | undefined): string {
  return new Request(new URL(url ?? '/', `http://${host ?? 'localhost'}`)).url;
}

function pairs(headers: Headers): string[][] {
  const out: string[][] = [];
  headers.forEach((value, name) => out.push([name, value]));
  return out;
}

function outcome<T>(build: () => T): T | string {
  try {
    return build();
  } catch (error) {
    return `throws ${(error as Error).name}: ${(error as Error).message}`;
  }
}

const piece = fc.constantFrom(
  '/', '\\', '\t', '\n', '.', '..', '%2e', '%', 'a', 'Z', '?', '#', ' ', '\t', '@', ':', '//', 'é', '[', ']', '|', '^', '"',
); // prettier-ignore
const url = fc.array(piece, { maxLength: 8 }).map((parts) => parts.join(''));
const host = fc.oneof(
  fc.constantFrom(
    undefined, 'h', 'H.example:8080', 'h:80', 'a/b', 'a@b', 'a?b', 'a#b', '[::1]:3000', '', 'é.com', 'x:', 'x:99999',
    '127.0.0.1:3000', '256.1.1.1', '01.2.3.4', '1.2.3', '1.2.3.4.5', 'xn--a', 'XN--abc.com', 'a.xn--zz', 'a.0x1', 'a.0X',
    'a.123', 'a..b', '.a', 'a.', 'x:00080', 'x:65535', 'x:65536', 'x:0', '-', 'a-.b-', '0', '0x', '09.1.1.1',
  ),
  // Hosts made of the characters the fast path lets through.
  fc
    .array(fc.constantFrom('a', 'x', 'n', '-', '.', '0', '1', '9', 'X', ':', '5'), { maxLength: 8 })
    .map((parts) => parts.join('')),
); // prettier-ignore

describe('toWebRequest', () => {
  it('gives the URL the request resolves to against its Host', () => {
    fc.assert(
      fc.property(url, host, (path, hostHeader) => {
        const node = {
          method: 'POST',
          url: path,
          headers: hostHeader === undefined ? {} : { host: hostHeader },
        };
        // Built or refused as the native Request is, then the same URL.
        const built = outcome(() => toWebRequest(node));
        const native = outcome(() => reference(path, hostHeader));
        expect(typeof built === 'string' ? built : 'built').toBe(
          native.startsWith('throws') ? native : 'built',
        );
        if (typeof built !== 'string') expect(built.url).toBe(native);
      }),
      { numRuns: 5000 },
    );
  });

  it('hands over a Request that reads as the native one, whatever is used of it', async () => {
    const methods = fc.constantFrom('GET', 'POST', 'DELETE', 'TRACE', 'PROPFIND');
    await fc.assert(
      fc.asyncProperty(methods, url, host, async (method, path, hostHeader) => {
        const headers = { host: hostHeader ?? 'h', 'x-a': 'a', 'set-cookie': ['1', '2'] };
        const node = { method, url: path, headers };
        const web = outcome(() => toWebRequest(node));
        const reference = outcome(() => {
          const init = new Headers([
            ['host', headers.host],
            ['x-a', 'a'],
            ['set-cookie', '1'],
            ['set-cookie', '2'],
          ]);
          return new Request(new URL(path, `http://${headers.host}`), { method, headers: init });
        });
        if (!(web instanceof Request) || !(reference instanceof Request)) {
          expect(String(web)).toBe(String(reference));
          return;
        }
        expect([web.method, web.url, pairs(web.headers), web.body, web.bodyUsed]).toEqual([
          reference.method,
          reference.url,
          pairs(reference.headers),
          reference.body,
          reference.bodyUsed,
        ]);
        expect([web.mode, web.cache, web.redirect, web.signal.aborted, web.keepalive]).toEqual([
          reference.mode,
          reference.cache,
          reference.redirect,
          reference.signal.aborted,
          reference.keepalive,
        ]);
        const copy = web.clone();
        expect([copy.url, copy.method, pairs(copy.headers)]).toEqual([
          reference.url,
          reference.method,
          pairs(reference.headers),
        ]);
        expect(await web.text()).toBe(await reference.text());
        expect(web.bodyUsed).toBe(reference.bodyUsed);
        expect(Object.prototype.toString.call(web)).toBe('[object Request]');
      }),
      { numRuns: 1000 },
    );
  });

  it.each([
    ['/mcp', 'localhost:3000'],
    ['/mcp?x=1#f', 'h'],
    ['//evil/x', 'h'],
    ['/\\evil/x', 'h'],
    ['/a/../b/./c', 'h:80'],
    ['/mcp', 'a/b'],
    ['http://other/x', 'h'],
  ])('resolves %s against Host %s', (path, hostHeader) => {
    const node = { method: 'GET', url: path, headers: { host: hostHeader } };
    expect(toWebRequest(node).url).toBe(reference(path, hostHeader));
  });
});
