import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { preProcessFile } from 'typescript';

// The rules of the rooms, read from lib/'s sources (README and STYLE.md say why).

const LIB = join(__dirname, '..', 'lib');
const MAX_LINES = 200;

interface Source {
  /** Path under lib/, with `/` separators: `stores/redis/redis-session.store.ts`. */
  file: string;
  lines: number;
  /** What its relative imports (static, dynamic, `require`, re-exports) resolve to, under lib/. */
  imports: string[];
}

function sources(dir = LIB): Source[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    if (!entry.name.endsWith('.ts')) return [];
    const text = readFileSync(path, 'utf8');
    const imports = preProcessFile(text, true, true)
      .importedFiles.map(({ fileName }) => fileName)
      .filter((name) => name.startsWith('.'))
      .map((name) => underLib(resolve(dirname(path), name)));
    const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
    return [{ file: underLib(path), lines, imports }];
  });
}

const underLib = (path: string): string => relative(LIB, path).split(sep).join('/');

const ALL = sources();

const inside = (path: string, folder: string): boolean => path.startsWith(`${folder}/`);

/** `file -> import` for every import of the files in `from` that `allowed` refuses. */
function violations(from: (file: string) => boolean, allowed: (target: string) => boolean) {
  return ALL.filter(({ file }) => from(file)).flatMap(({ file, imports }) =>
    imports.filter((target) => !allowed(target)).map((target) => `${file} -> ${target}`),
  );
}

describe('lib/ architecture', () => {
  it('reads the sources it checks', () => {
    expect(ALL.map(({ file }) => file)).toEqual(
      expect.arrayContaining(['index.ts', 'contract/session-store.ts']),
    );
  });

  it(`has no file over ${MAX_LINES} lines`, () => {
    const long = ALL.filter(({ lines }) => lines > MAX_LINES).map(
      ({ file, lines }) => `${file}: ${lines} lines`,
    );
    expect(long).toEqual([]);
  });

  it('lib/contract imports nothing of ours outside lib/contract', () => {
    const from = (file: string) => inside(file, 'contract');
    expect(violations(from, (target) => inside(target, 'contract'))).toEqual([]);
  });

  const backends = readdirSync(join(LIB, 'stores'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name);

  it('knows the backends', () => {
    expect(backends).toEqual(expect.arrayContaining(['memory', 'redis', 'caching']));
  });

  it.each(backends)(
    'lib/stores/%s imports only its own folder, lib/contract and lib/interfaces (never the module files, lib/gate, lib/sdk, lib/interceptors or another backend)',
    (backend) => {
      const folder = `stores/${backend}`;
      const allowed = (target: string) =>
        inside(target, folder) || inside(target, 'contract') || inside(target, 'interfaces');
      expect(violations((file) => inside(file, folder), allowed)).toEqual([]);
    },
  );

  it('lib/interceptors, lib/session-cleanup.service.ts and lib/sdk import no store', () => {
    const from = (file: string) =>
      inside(file, 'interceptors') || inside(file, 'sdk') || file === 'session-cleanup.service.ts';
    expect(violations(from, (target) => !inside(target, 'stores'))).toEqual([]);
  });
});
