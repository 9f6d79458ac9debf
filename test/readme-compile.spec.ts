import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as ts from 'typescript';
import { type ReadmeBlock, readmeBlocks } from './support/readme-blocks';

// Every ```ts block of README.md, type-checked as a newcomer pastes it: each
// block is a file of its own in a fresh project outside this repository, with
// `nestjs-mcp-session` (and `nestjs-mcp-session/testing`) resolved to lib/.
// A block whose first line names a file (`// app.module.ts`) is that file, and
// the other blocks import it by that name (`./app.module`).

const ROOT = join(__dirname, '..');
const blocks = readmeBlocks().filter((block) => block.lang === 'ts');

/** Where a block's imports of `./<name>` come from: the nearest earlier block of that name, else the next one. */
function siblingsOf(index: number): ReadmeBlock[] {
  const own = blocks[index].file;
  const names = new Set(
    blocks.map((block) => block.file).filter((file) => file !== own && file !== 'snippet.ts'),
  );
  return [...names].flatMap((name) => {
    const earlier = blocks.slice(0, index).filter((block) => block.file === name);
    const later = blocks.slice(index + 1).filter((block) => block.file === name);
    const chosen = earlier.at(-1) ?? later[0];
    return chosen ? [chosen] : [];
  });
}

/** Stand-ins for packages a README block imports that this repository does not install. */
const STUBS: Record<string, string> = {
  '@nestjs/throttler': `import type { CanActivate, DynamicModule, ExecutionContext } from '@nestjs/common';
export declare class ThrottlerModule {
  static forRoot(options: { ttl: number; limit: number }[]): DynamicModule;
}
export declare class ThrottlerGuard implements CanActivate {
  canActivate(context: ExecutionContext): Promise<boolean>;
}
`,
  '@nestjs/config': `import type { DynamicModule } from '@nestjs/common';
export declare class ConfigModule {
  static forRoot(options?: Record<string, unknown>): Promise<DynamicModule>;
}
export declare class ConfigService {
  get<T = any>(propertyPath: string): T | undefined;
  get<T = any>(propertyPath: string, defaultValue: T): T;
}
`,
};

interface Compiled {
  /** Diagnostics of each block's own file, by block index. */
  byBlock: Map<number, readonly ts.Diagnostic[]>;
  /** Diagnostics of no block's file (options, lib/). */
  other: readonly ts.Diagnostic[];
}

function compile(dir: string): Compiled {
  const paths: Record<string, string[]> = {
    'nestjs-mcp-session': [join(ROOT, 'lib', 'index.ts')],
  };
  if (existsSync(join(ROOT, 'lib', 'testing', 'index.ts'))) {
    paths['nestjs-mcp-session/testing'] = [join(ROOT, 'lib', 'testing', 'index.ts')];
  }
  paths['nestjs-mcp-session/rekog'] = [join(ROOT, 'lib', 'rekog', 'index.ts')];
  for (const [name, text] of Object.entries(STUBS)) {
    if (existsSync(join(ROOT, 'node_modules', name, 'package.json'))) continue;
    const stub = join(dir, 'stubs', `${name.replace(/\W/g, '_')}.d.ts`);
    mkdirSync(dirname(stub), { recursive: true });
    writeFileSync(stub, text);
    paths[name] = [stub];
  }
  // The fresh project's node_modules are this repository's.
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');

  const rootOf = new Map<string, number>();
  blocks.forEach((block, index) => {
    const blockDir = join(dir, `block-${String(index + 1).padStart(2, '0')}`);
    mkdirSync(blockDir);
    for (const sibling of siblingsOf(index)) {
      writeFileSync(join(blockDir, sibling.file), sibling.code);
    }
    const file = join(blockDir, block.file);
    writeFileSync(file, block.code);
    rootOf.set(file, index);
  });

  const options: ts.CompilerOptions = {
    strict: true,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    target: ts.ScriptTarget.ES2022,
    esModuleInterop: true,
    skipLibCheck: true,
    noEmit: true,
    paths,
    types: ['node', 'jest'],
    typeRoots: [join(ROOT, 'node_modules', '@types')],
  };
  const program = ts.createProgram([...rootOf.keys()], options);
  const byBlock = new Map<number, ts.Diagnostic[]>();
  const other: ts.Diagnostic[] = [];
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const file = diagnostic.file?.fileName;
    const index = file === undefined ? undefined : rootOf.get(file);
    if (index !== undefined) byBlock.set(index, [...(byBlock.get(index) ?? []), diagnostic]);
    // A sibling copy's errors are its own block's, reported there.
    else if (!file?.startsWith(dir)) other.push(diagnostic);
  }
  return { byBlock, other };
}

/** One line per diagnostic, located in README.md. */
function describeDiagnostics(diagnostics: readonly ts.Diagnostic[], block?: ReadmeBlock): string[] {
  return diagnostics.map((diagnostic) => {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    if (!diagnostic.file || diagnostic.start === undefined)
      return `TS${diagnostic.code}: ${message}`;
    const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    const where = block
      ? `README.md:${block.line + line}:${character + 1}`
      : `${diagnostic.file.fileName}:${line + 1}:${character + 1}`;
    return `${where} TS${diagnostic.code}: ${message}`;
  });
}

function title(block: ReadmeBlock, index: number): string {
  const head = block.code.split('\n').slice(0, 2).join(' | ');
  return `#${index + 1} (README.md:${block.line}, ${block.file}): ${head}`;
}

describe('README code blocks', () => {
  let dir: string;
  let compiled: Compiled;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'readme-blocks-'));
    compiled = compile(dir);
  }, 120_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('has TypeScript blocks, each fenced as ts', () => {
    expect(blocks.length).toBeGreaterThan(10);
    const otherTs = readmeBlocks().filter(
      (block) => /^(typescript|tsx?|m?js|javascript)$/.test(block.lang) && block.lang !== 'ts',
    );
    expect(otherTs.map((block) => `README.md:${block.line} \`\`\`${block.lang}`)).toEqual([]);
  });

  it.each(blocks.map((block, index) => [title(block, index), index] as const))(
    'block %s compiles',
    (_, index) => {
      const errors = describeDiagnostics(compiled.byBlock.get(index) ?? [], blocks[index]);
      expect({ block: title(blocks[index], index), errors }).toEqual({
        block: title(blocks[index], index),
        errors: [],
      });
    },
  );

  it('compiles lib/ and the options without errors', () => {
    expect(describeDiagnostics(compiled.other)).toEqual([]);
  });
});
