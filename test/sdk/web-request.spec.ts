import * as fc from 'fast-check';
import { toWebRequest } from '../../lib/sdk/web-http';

// toWebRequest builds the URL string itself where it parses the same: it
// must give the URL `new URL(url, 'http://<host>')` gives, or fail as it does.

function reference(url: string | undefined, host: string | undefined): string {
  return new Request(new URL(url ?? '/', `http://${host ?? 'localhost'}`)).url;
}

function outcome(build: () => string): string {
  try {
    return build();
  } catch (error) {
    return `throws ${(error as Error).name}`;
  }
}

const piece = fc.constantFrom(
  '/', '\\', '.', '..', '%2e', '%', 'a', 'Z', '?', '#', ' ', '\t', '@', ':', '//', 'é', '[', ']', '|', '^', '"',
); // prettier-ignore
const url = fc.array(piece, { maxLength: 8 }).map((parts) => parts.join(''));
const host = fc.constantFrom(
  undefined, 'h', 'H.example:8080', 'h:80', 'a/b', 'a@b', 'a?b', 'a#b', '[::1]:3000', '', 'é.com', 'x:', 'x:99999',
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
        expect(outcome(() => toWebRequest(node).url)).toBe(
          outcome(() => reference(path, hostHeader)),
        );
      }),
      { numRuns: 5000 },
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
