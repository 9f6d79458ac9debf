import { inspect } from 'node:util';

const METHOD = Symbol('method');
const HREF = Symbol('href');
const HEADERS = Symbol('headers');
const NATIVE = Symbol('native');

/** The state of a {@link deferredRequest}. */
interface Deferred {
  [METHOD]: string;
  [HREF]: string;
  [HEADERS]: Headers;
  [NATIVE]?: Request;
}

/** The `Request` a deferred one stands for, built on first need (as `toWebRequest` always did). */
function native(request: Deferred): Request {
  request[NATIVE] ??= new Request(request[HREF], {
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
      return this[HREF];
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
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  // Request refuses a URL with credentials.
  if (parsed.username !== '' || parsed.password !== '') return undefined;
  const request = Object.create(PROTOTYPE) as Deferred;
  request[METHOD] = method;
  request[HREF] = parsed.href;
  request[HEADERS] = headers;
  return request as unknown as Request;
}
