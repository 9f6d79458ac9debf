import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ts from 'typescript';

/**
 * pg is an optional peer: the Postgres store's public declarations must not
 * mention it (an application without pg compiles them with skipLibCheck off),
 * and only the calls that open connections themselves need it installed.
 */
const ROOT = join(__dirname, '..', '..', '..');
const LIB = join(ROOT, 'lib');
const ENTRY_POINTS = [
  'stores/postgres/postgres-session.store.ts',
  'stores/postgres/postgres-invalidation.channel.ts',
];

describe('pg as an optional peer of the PostgreSQL store', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pg-peer-'));
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('emits declarations that compile without pg (skipLibCheck off) and never load its types', () => {
    const base: ts.CompilerOptions = {
      strict: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      experimentalDecorators: true,
      esModuleInterop: true,
      types: ['node'],
    };
    const emit = ts.createProgram(
      ENTRY_POINTS.map((file) => join(LIB, file)),
      {
        ...base,
        declaration: true,
        emitDeclarationOnly: true,
        rootDir: LIB,
        outDir: join(dir, 'dist'),
      },
    );
    const emitted = emit.emit();
    expect(emitted.diagnostics).toEqual([]);

    const consumer = join(dir, 'app.ts');
    writeFileSync(
      consumer,
      `import { PostgresSessionStore } from './dist/stores/postgres/postgres-session.store';
import { PostgresInvalidationChannel } from './dist/stores/postgres/postgres-invalidation.channel';
import type { PostgresPool } from './dist/stores/postgres/postgres-client';

declare const pool: PostgresPool;
export const store = new PostgresSessionStore(pool, { schema: 'app', statementTimeout: 500 });
export const owned = PostgresSessionStore.fromUrl('postgres://db/app');
export const channel = new PostgresInvalidationChannel(pool, { channel: 'app_sessions' });
export const sql: string = PostgresSessionStore.migrationSql({ table: 'sessions' });
`,
    );
    const program = ts.createProgram([consumer], { ...base, noEmit: true, skipLibCheck: false });
    const diagnostics = ts
      .getPreEmitDiagnostics(program)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(diagnostics).toEqual([]);
    const loaded = program.getSourceFiles().map((file) => file.fileName);
    expect(loaded.filter((file) => /node_modules\/(@types\/)?pg(-[a-z]+)?\//.test(file))).toEqual(
      [],
    );
  });

  it('loads without pg, and says how to install it when a call needs it', () => {
    const missing = () => {
      throw Object.assign(new Error("Cannot find module 'pg'"), { code: 'MODULE_NOT_FOUND' });
    };
    jest.isolateModules(() => {
      jest.doMock('pg', missing);
      /* eslint-disable @typescript-eslint/no-require-imports */
      const { PostgresSessionStore } =
        require('../../../lib/stores/postgres/postgres-session.store') as typeof import('../../../lib/stores/postgres/postgres-session.store');
      const { PostgresInvalidationChannel } =
        require('../../../lib/stores/postgres/postgres-invalidation.channel') as typeof import('../../../lib/stores/postgres/postgres-invalidation.channel');
      /* eslint-enable @typescript-eslint/no-require-imports */
      expect(() => PostgresSessionStore.fromUrl('postgres://127.0.0.1:1/x')).toThrow(
        /need pg \(npm install pg\)/,
      );
      expect(() => PostgresInvalidationChannel.fromUrl('postgres://127.0.0.1:1/x')).toThrow(
        /need pg \(npm install pg\)/,
      );
      expect(PostgresSessionStore.migrationSql()).toContain(
        'CREATE TABLE IF NOT EXISTS "public"."mcp_sessions"',
      );
    });
    jest.dontMock('pg');
  });
});
