// Run by test:consumers in the ESM app: this ES module imports
// nestjs-mcp-session while a CommonJS dependency (cjs-dep) requires it. Both
// must get one implementation: the same DI tokens, the same SessionStore, the
// same error class, for every subpath, and a Nest container built from the
// dependency's module must answer the app's tokens. Prints one line per
// check; exits non-zero at the first that fails.
import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import dep from 'consumer-cjs-dep';
import * as session from 'nestjs-mcp-session';
import * as testing from 'nestjs-mcp-session/testing';

const require = createRequire(import.meta.url);

function expectThat(condition, what) {
  if (!condition) throw new Error(what);
}

// Every subpath of the exports map, imported and required from here: the
// "import" condition must reach the ES module entry, "require" the CommonJS
// build, and both give the same objects.
// A subpath built on an optional peer this app does not install (./rekog needs
// @rekog/mcp-nest) must fail naming that peer; it is skipped, not compared.
const { exports, peerDependenciesMeta } = require('nestjs-mcp-session/package.json');
const optionalPeers = Object.keys(peerDependenciesMeta ?? {});
const subpaths = Object.keys(exports).filter((subpath) => subpath !== './package.json');
for (const subpath of subpaths) {
  const specifier = `nestjs-mcp-session${subpath.slice(1)}`;
  let required;
  try {
    required = require(specifier);
  } catch (error) {
    const peer = optionalPeers.find((name) => String(error?.message).includes(`'${name}'`));
    if (error?.code !== 'MODULE_NOT_FOUND' || peer === undefined) throw error;
    console.log(`${specifier}: skipped, it needs the optional peer ${peer} (not installed here)`);
    continue;
  }
  const imported = await import(specifier);
  const esmFile = fileURLToPath(import.meta.resolve(specifier));
  const cjsFile = require.resolve(specifier);
  expectThat(
    /[\\/]dist[\\/]esm[\\/].*\.mjs$/.test(esmFile),
    `import ${specifier} loaded ${esmFile}`,
  );
  expectThat(
    /[\\/]dist[\\/]cjs[\\/].*\.js$/.test(cjsFile),
    `require ${specifier} loaded ${cjsFile}`,
  );
  const names = Object.keys(required);
  expectThat(
    Object.keys(imported).sort().join() === names.sort().join(),
    `${specifier}: import and require give other names`,
  );
  const different = names.filter((name) => imported[name] !== required[name]);
  expectThat(different.length === 0, `${specifier}: other objects for ${different.join()}`);
  console.log(`${specifier}: import and require give the same ${names.length} objects`);
}

// The CommonJS dependency's copy is this module's.
expectThat(
  dep.resolved === require.resolve('nestjs-mcp-session'),
  `the dependency loaded ${dep.resolved}`,
);
expectThat(dep.session.SessionStore === session.SessionStore, 'SessionStore differs');
expectThat(dep.SessionStoreError === session.SessionStoreError, 'SessionStoreError differs');
expectThat(dep.MCP_SESSION_OPTIONS === session.MCP_SESSION_OPTIONS, 'MCP_SESSION_OPTIONS differs');
expectThat(
  dep.testing.sessionStoreContract === testing.sessionStoreContract,
  'the contract suite differs',
);
expectThat(
  dep.storeError() instanceof session.SessionStoreError,
  'its SessionStoreError is not ours',
);
expectThat(
  new dep.LibraryStore() instanceof session.MemorySessionStore,
  'its store is no MemorySessionStore of ours',
);
console.log('the CommonJS dependency: same SessionStore, SessionStoreError, MCP_SESSION_OPTIONS');

// Nest's container: the dependency's module set-up, injected by this module's tokens.
class StoreUser {
  constructor(store, options) {
    this.store = store;
    this.options = options;
  }
}
Injectable()(StoreUser);
Reflect.defineMetadata('design:paramtypes', [session.SessionStore, Object], StoreUser);
session.InjectMcpSessionOptions()(StoreUser, undefined, 1);
class IdentityModule {}
const store = new dep.LibraryStore();
Module({ imports: [dep.sessionModule(store)], providers: [StoreUser] })(IdentityModule);
const context = await NestFactory.createApplicationContext(IdentityModule, { logger: false });
try {
  const user = context.get(StoreUser);
  expectThat(user.store === store, 'SessionStore injected by type is not the dependency store');
  expectThat(context.get(session.SessionStore) === store, 'get(SessionStore) is not its store');
  expectThat(user.options.store === store, 'MCP_SESSION_OPTIONS has another store');
  expectThat(
    context.get(session.McpSessionTransports) instanceof session.McpSessionTransports,
    'McpSessionTransports not found by its class',
  );
} finally {
  await context.close();
}
console.log(
  'Nest: the dependency module answers SessionStore, MCP_SESSION_OPTIONS, McpSessionTransports',
);
