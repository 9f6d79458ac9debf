import { inspect } from 'node:util';

const METHOD = Symbol('method');
/** The URL as given (parsed on first read of `url`) ... */
const TEXT = Symbol('text');
/** ... and as `Request` would give it. */
const HREF = Symbol('href');
const HEADERS = Symbol('headers');
const NATIVE = Symbol('native');

/** The state of a {@link deferredRequest}. */
interface Deferred {
  [METHOD]: string;
  [TEXT]: string;
  [HREF]?: string;
  [HEADERS]: Headers;
  [NATIVE]?: Request;
}

function hrefOf(request: Deferred): string {
  request[HREF] ??= new URL(request[TEXT]).href;
  return request[HREF];
}

/** The `Request` a deferred one stands for, built on first need (as `toWebRequest` always did). */
function native(request: Deferred): Request {
  request[NATIVE] ??= new Request(hrefOf(request), {
    method: request[METHOD],
    headers: request[HEADERS],
  });
  return request[NATIVE];
}

/**
 * The prototype of deferred requests: a `Request` (its prototype is
 * `Request.prototype`) whose method, URL and headers are its own, and whose
 * every other member (body, signal, clone(), text()...) is that of the native
 * `Request` built the first time one is used.
 */
const PROTOTYPE: object = Object.create(Request.prototype);
for (const [name, descriptor] of Object.entries(
  Object.getOwnPropertyDescriptors(Request.prototype),
)) {
  if (name === 'constructor') continue;
  if (descriptor.get !== undefined) {
    Object.defineProperty(PROTOTYPE, name, {
      configurable: true,
      enumerable: descriptor.enumerable,
      get(this: Deferred) {
        return Reflect.get(native(this), name);
      },
    });
  } else if (typeof descriptor.value === 'function') {
    Object.defineProperty(PROTOTYPE, name, {
      configurable: true,
      enumerable: descriptor.enumerable,
      writable: true,
      value(this: Deferred, ...args: unknown[]) {
        return (Reflect.get(native(this), name) as (...a: unknown[]) => unknown).apply(
          native(this),
          args,
        );
      },
    });
  }
}
Object.defineProperties(PROTOTYPE, {
  method: {
    configurable: true,
    get(this: Deferred) {
      return this[METHOD];
    },
  },
  url: {
    configurable: true,
    get(this: Deferred) {
      return hrefOf(this);
    },
  },
  headers: {
    configurable: true,
    get(this: Deferred) {
      return this[HEADERS];
    },
  },
  [inspect.custom]: {
    configurable: true,
    value(this: Deferred, _depth: number, options: object) {
      return inspect(native(this), options);
    },
  },
});

/** A dotted-quad IPv4 address the URL parser takes as it is (no octal or hex parts). */
const DOTTED_QUAD = /^(0|[1-9][0-9]{0,2})(\.(0|[1-9][0-9]{0,2})){3}$/;
/** ASCII domain labels, none empty. */
const DOMAIN = /^[a-z0-9-]+(\.[a-z0-9-]+)*$/i;

/**
 * Whether `http://<host><path>` (host as `requestUrl` lets through: letters,
 * digits, '.', '-', a port) certainly parses, credentials-free, so that it can
 * be parsed on first use: a port within range, and a host that is a plain
 * dotted quad or a domain whose last label the parser cannot take for a number
 * and with no punycode label to decode (the path of an http URL always
 * parses).
 */
function surelyParses(url: string): boolean {
  const authority = url.slice(7, url.indexOf('/', 7));
  const colon = authority.indexOf(':');
  const host = colon < 0 ? authority : authority.slice(0, colon);
  if (colon >= 0) {
    const port = authority.slice(colon + 1);
    if (port.length > 5 || Number(port) > 65535) return false;
  }
  if (DOTTED_QUAD.test(host)) return host.split('.').every((part) => Number(part) <= 255);
  if (!DOMAIN.test(host) || /(^|\.)xn--/i.test(host)) return false;
  const last = host.slice(host.lastIndexOf('.') + 1);
  return !/^([0-9]+|0x[0-9a-f]*)$/i.test(last);
}

/** Methods a `Request` keeps as they are (the HTTP methods Node's parser hands over, normalized). */
const PLAIN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);

/**
 * A `Request` with this method, URL and headers and no body, the native
 * `Request` built only when something more than its method, URL or headers is
 * used (the SDK's transports read just those): the construction of a native
 * `Request` (URL parse, headers copy, abort signal) is a large part of what
 * serving a request costs. `undefined` where a native `Request` might not be
 * built the same (an unusual method, a URL that does not parse or carries
 * credentials): the caller builds a native one, which fails as it always did.
 */
export function deferredRequest(
  method: string | undefined,
  url: string | undefined,
  headers: Headers,
): Request | undefined {
  if (url === undefined || method === undefined || !PLAIN_METHODS.has(method)) return undefined;
  const request = Object.create(PROTOTYPE) as Deferred;
  request[TEXT] = url;
  if (!surelyParses(url)) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return undefined;
    }
    // Request refuses a URL with credentials.
    if (parsed.username !== '' || parsed.password !== '') return undefined;
    request[HREF] = parsed.href;
  }
  request[METHOD] = method;
  request[HEADERS] = headers;
  return request as unknown as Request;
}
