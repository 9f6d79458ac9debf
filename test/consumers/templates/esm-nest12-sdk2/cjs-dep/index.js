'use strict';
// A CommonJS dependency of the ESM app: it requires nestjs-mcp-session (the
// "require" condition) while the app imports it (the "import" condition), and
// hands out what it got, for identity.mjs to compare.
const session = require('nestjs-mcp-session');
const testing = require('nestjs-mcp-session/testing');

/** A store of the library's own: a subclass of the MemorySessionStore it required. */
class LibraryStore extends session.MemorySessionStore {}

module.exports = {
  session,
  testing,
  resolved: require.resolve('nestjs-mcp-session'),
  SessionStore: session.SessionStore,
  SessionStoreError: session.SessionStoreError,
  MCP_SESSION_OPTIONS: session.MCP_SESSION_OPTIONS,
  LibraryStore,
  /** An error the library raises, as a store of its would. */
  storeError: () => new session.SessionStoreError('unavailable', 'from the CommonJS dependency'),
  /** The library's module set-up with its own store, for an app to import. */
  sessionModule: (store) => session.McpSessionModule.forRoot({ store, cleanupInterval: false }),
};
