import type { Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import * as ts from 'typescript';
import { SessionRecord, SessionStore } from '../../../lib';
import { PostgresSessionStore } from '../../../lib/stores/postgres/postgres-session.store';
import { PG_URL } from '../../support/postgres-harness';
import { eventually } from '../../support/wait';
import { type ReadmeBlock, readmeBlocks } from '../../support/readme-blocks';

// The README's PostgreSQL files, run as written there against a database of
// their own (they use the default schema and table), created for this file
// and dropped after it. Only their import of `nestjs-mcp-session` is pointed
// at lib/ (with the Postgres exports added, should lib/index not have them).

const LIB = join(__dirname, '..', '..', '..', 'lib');
const database = `mcp_readme_${process.pid}_${randomBytes(3).toString('hex')}`;
const url = new URL(PG_URL);
url.pathname = `/${database}`;
const admin = new Pool({ connectionString: PG_URL, max: 1 });

function block(lang: string, text: string): ReadmeBlock {
  const found = readmeBlocks().find((b) => b.lang === lang && b.code.includes(text));
  if (!found) throw new Error(`README.md has no ${lang} block containing "${text}"`);
  return found;
}

let dir: string;
let files = 0;

/** Transpiles a block into the temp project and loads its exports. */
async function load(file: ReadmeBlock): Promise<Record<string, Type<unknown>>> {
  const { outputText } = ts.transpileModule(file.code, {
    fileName: file.file,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      esModuleInterop: true,
    },
  });
  const js = outputText.replaceAll(
    'require("nestjs-mcp-session")',
    `require(${JSON.stringify(join(dir, 'library.js'))})`,
  );
  const path = join(dir, `${++files}-${file.file.replace(/\.ts$/, '.js')}`);
  writeFileSync(path, js);
  return import(path);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'readme-postgres-'));
  symlinkSync(join(LIB, '..', 'node_modules'), join(dir, 'node_modules'), 'dir');
  const postgres = join(LIB, 'stores', 'postgres');
  writeFileSync(
    join(dir, 'library.js'),
    `module.exports = {
  PostgresSessionStore: require(${JSON.stringify(join(postgres, 'postgres-session.store'))}).PostgresSessionStore,
  PostgresInvalidationChannel: require(${JSON.stringify(join(postgres, 'postgres-invalidation.channel'))}).PostgresInvalidationChannel,
  ...require(${JSON.stringify(LIB)}),
};
`,
  );
  await admin.query(`CREATE DATABASE "${database}"`);
  process.env.DATABASE_URL = url.toString();
});

afterAll(async () => {
  delete process.env.DATABASE_URL;
  await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  await admin.end();
  rmSync(dir, { recursive: true, force: true });
});

describe('README, PostgreSQL store', () => {
  it('shows the SQL that migrationSql() returns and migrate() applies', () => {
    expect(block('sql', 'CREATE TABLE IF NOT EXISTS').code).toBe(
      PostgresSessionStore.migrationSql(),
    );
  });

  it('fromUrl in forRootAsync: migrates, serves, and ends its pool when the app closes', async () => {
    const { AppModule } = await load(block('ts', 'PostgresSessionStore.fromUrl(process.env'));
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    const store = moduleRef.get(SessionStore) as PostgresSessionStore;
    const record = await store.create(new SessionRecord('readme-pg', '2025-11-25', 60_000));
    expect((await store.touch(record.id, 60_000))?.id).toBe('readme-pg');
    expect(await store.count()).toBe(1);
    await moduleRef.close();
    expect((store.pool as unknown as { ended: boolean }).ended).toBe(true);
  });

  it('a caching store over your pool, coherent by LISTEN/NOTIFY, closed with the app', async () => {
    const { AppModule } = await load(block('ts', 'new PostgresInvalidationChannel(pool)'));
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    await moduleRef.init();
    const store = moduleRef.get(SessionStore);
    const record = await store.create(new SessionRecord('readme-cached', '2025-11-25', 60_000));
    expect((await store.touch!(record.id, 60_000))?.id).toBe('readme-cached');
    await moduleRef.close();

    const check = new Pool({ connectionString: url.toString(), max: 1 });
    // Its connection may still be closing when afterAll drops the database WITH
    // (FORCE): the server's goodbye must not surface as an unhandled pool error.
    check.on('error', () => undefined);
    try {
      const fresh = new PostgresSessionStore(check);
      expect((await fresh.load('readme-cached'))?.id).toBe('readme-cached');
      // The channel's listening connection and the app's pool are gone.
      await eventually('no connection left on the database', async () => {
        const { rows } = await check.query(
          'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
          [database],
        );
        return rows[0].n === 0;
      });
    } finally {
      await check.end();
    }
  });
});
