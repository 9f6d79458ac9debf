import type { Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ts from 'typescript';
import { MCP_SESSION_OPTIONS, type McpSessionOptions, SessionRecord, SessionStore } from '../lib';
import { type ReadmeBlock, readmeBlocks } from './support/readme-blocks';

// The README's quick start and async-configuration files, run as written
// there: the blocks are transpiled into the files of a fresh project, and only
// their import of `nestjs-mcp-session` is pointed at lib/.

const LIB = join(__dirname, '..', 'lib');
const blocks = readmeBlocks().filter((block) => block.lang === 'ts');

/** The first README block that is `file` and contains `text`. */
function block(file: string, text = ''): ReadmeBlock {
  const found = blocks.find((b) => b.file === file && b.code.includes(text));
  if (!found) throw new Error(`README.md has no ${file} block containing "${text}"`);
  return found;
}

type Exports = Record<string, Type<unknown>>;

let dir: string;
let projects = 0;

/** Writes `files` as one fresh project; returns a loader of its files' exports. */
function project(...files: ReadmeBlock[]): (file: string) => Promise<Exports> {
  const root = join(dir, `project-${++projects}`);
  mkdirSync(root);
  for (const file of files) {
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
      `require(${JSON.stringify(LIB)})`,
    );
    writeFileSync(join(root, file.file.replace(/\.ts$/, '.js')), js);
  }
  return (file) => import(join(root, file.replace(/\.ts$/, '.js'))) as Promise<Exports>;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'readme-snippets-'));
  // The fresh projects' node_modules are this repository's.
  symlinkSync(join(__dirname, '..', 'node_modules'), join(dir, 'node_modules'), 'dir');
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('README snippets', () => {
  it('quick start: a service injects the store by type and keeps data in the record', async () => {
    const files = project(block('app.module.ts', 'SessionsService'), block('sessions.service.ts'));
    const { AppModule } = await files('app.module.ts');
    const { SessionsService } = await files('sessions.service.ts');
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    const store = moduleRef.get(SessionStore);
    await store.create(new SessionRecord('readme', '2025-11-25', 60_000));
    const service = moduleRef.get(SessionsService as Type<{ visits(id: string): Promise<number> }>);

    expect(await service.visits('readme')).toBe(1);
    expect(await service.visits('readme')).toBe(2);
    expect(await service.visits('unknown')).toBe(0);
    expect((await store.load('readme'))?.data).toEqual({ visits: 2 });
    await moduleRef.close();
  });

  it.each(['useClass', 'useExisting'])('async configuration with a class (%s)', async (how) => {
    const files = project(
      block('app.module.ts', `${how}: SessionConfig`),
      block('session-config.ts', 'class SessionConfig'),
    );
    const { AppModule } = await files('app.module.ts');
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    expect(moduleRef.get<McpSessionOptions>(MCP_SESSION_OPTIONS).ttl).toBe(10 * 60_000);
    const store = moduleRef.get(SessionStore);
    const record = await store.create(new SessionRecord('a', '2025-11-25', 60_000));
    const touched = await store.touch!(record.id, 10 * 60_000);
    expect(touched).toBeDefined();
    await moduleRef.close();
  });
});
