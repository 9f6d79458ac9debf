import { Logger } from '@nestjs/common';
import type { McpSessionOwnerResolver } from '../interfaces/mcp-session-options.interface';
import { INTERNAL_ERROR } from './mcp-session.errors';

const logger = new Logger('McpSessionModule');
const told = new WeakSet<McpSessionOwnerResolver>();

/** What the module says of a `resolveOwner` that returns a promise, at boot or on first use. */
export const ASYNC_OWNER_MESSAGE =
  'option "resolveOwner" must return the principal synchronously (a string, or undefined for an ' +
  'anonymous request), not a Promise: resolve it in a guard or middleware that runs before the ' +
  'MCP route (for example one that verifies the token and sets request.user), then read it here';

/** True for an `async function` or `async` arrow (refused at boot: it always returns a promise). */
export function isAsyncFunction(value: unknown): boolean {
  return typeof value === 'function' && value.constructor?.name === 'AsyncFunction';
}

/**
 * The principal `resolveOwner` gives for `request`. A result that is neither
 * a string nor `undefined`/`null` (a promise above all: it would make every
 * owned session look foreign) is a configuration error: logged once per
 * resolver, and the request is refused with a 500.
 * @throws McpSessionRejection (500) on such a result.
 */
export function ownerOf(
  resolveOwner: McpSessionOwnerResolver,
  request: object,
): string | undefined {
  const owner: unknown = resolveOwner(request as never);
  if (owner === undefined || owner === null) return undefined;
  if (typeof owner === 'string') return owner;
  const thenable = typeof (owner as { then?: unknown }).then === 'function';
  // A rejected promise left alone would be an unhandled rejection.
  if (thenable) (owner as Promise<unknown>).then(undefined, () => undefined);
  if (!told.has(resolveOwner)) {
    told.add(resolveOwner);
    const got = thenable ? 'a Promise' : `a ${typeof owner}`;
    logger.error(`McpSessionModule: ${ASYNC_OWNER_MESSAGE.replace('not a Promise', `got ${got}`)}`);
  }
  throw INTERNAL_ERROR;
}
