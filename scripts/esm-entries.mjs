#!/usr/bin/env node
// The ESM side of the dual build, run by `npm run build` after tsc has built
// the CommonJS build into dist/cjs. For each subpath of package.json "exports"
// it writes a thin ES module that re-exports the CommonJS module, and its
// types:
//   dist/esm/<entry>.mjs    import cjs from '../cjs/<entry>.js';
//                           (the SDK loader set to import(), see below)
//                           export const { SessionStore, ... } = cjs;
//   dist/esm/<entry>.d.mts  export * from '../cjs/<entry>.js';
// There is one implementation, so a class or a symbol is the same object
// whether a module imports the package or requires it (no dual-package
// hazard for DI tokens, SessionStore, the error classes). The names come from
// the built CommonJS module itself; the default import of a CommonJS module is
// its module.exports on every Node version, so no name depends on Node's
// export detection. Each wrapper also tells the CommonJS build to load the MCP
// SDK with import() (importSdkWith in lib/sdk/sdk-loader.ts): the SDK ships
// both builds too, and an ES module application builds its servers from the
// SDK's ES modules. Then every wrapper is imported and compared with its
// CommonJS module, name by name and object by object.
//
// Every subpath but "./package.json" must follow the scheme:
//   "./x": { "import":  { "types": "./dist/esm/x/index.d.mts", "default": "./dist/esm/x/index.mjs" },
//            "require": { "types": "./dist/cjs/x/index.d.ts",  "default": "./dist/cjs/x/index.js" } }
// ("." is dist/{esm,cjs}/index.*); the build fails, naming the subpath, when one does not.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(ROOT, 'package.json'));

/** The four files of one subpath, checked against the scheme. */
function entryOf(subpath, target) {
  const base = subpath === '.' ? 'index' : `${subpath.slice(2)}/index`;
  const expected = {
    import: { types: `./dist/esm/${base}.d.mts`, default: `./dist/esm/${base}.mjs` },
    require: { types: `./dist/cjs/${base}.d.ts`, default: `./dist/cjs/${base}.js` },
  };
  if (JSON.stringify(target) !== JSON.stringify(expected)) {
    throw new Error(
      `package.json exports["${subpath}"] does not follow the dual-build scheme; expected\n` +
        `${JSON.stringify(expected, null, 2)}\ngot\n${JSON.stringify(target, null, 2)}`,
    );
  }
  return {
    subpath,
    cjs: join(ROOT, expected.require.default),
    mjs: join(ROOT, expected.import.default),
    dmts: join(ROOT, expected.import.types),
    cjsPath: expected.require.default.slice('./dist/cjs/'.length),
  };
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** The CommonJS module (under dist/cjs) and function that each ES module entry calls once. */
const SDK_LOADER = { module: 'sdk/sdk-loader.js', call: 'importSdkWith' };

/** The specifier of dist/cjs/`cjsPath` in the wrapper: relative, with '/' and a leading '.'. */
function relativeTo(entry, cjsPath) {
  const path = relative(dirname(entry.mjs), join(ROOT, 'dist/cjs', cjsPath))
    .split(sep)
    .join('/');
  return path.startsWith('.') ? path : `./${path}`;
}

/** The wrapper's text: the SDK loader set to import(), the CommonJS module's names re-exported. */
function wrapperOf(entry, names) {
  const from = relativeTo(entry, entry.cjsPath);
  const loader = relativeTo(entry, SDK_LOADER.module);
  const named = names.filter((name) => name !== 'default');
  for (const name of named) {
    if (!IDENTIFIER.test(name)) throw new Error(`${entry.cjs}: export "${name}" is no identifier`);
  }
  const lines = [
    `// The ES module entry of nestjs-mcp-session${entry.subpath === '.' ? '' : entry.subpath.slice(1)}: the CommonJS build,`,
    '// re-exported (one implementation: the same objects for import and require).',
    `import cjs from '${from}';`,
    `import sdkLoader from '${loader}';`,
    '',
    "// An ES module application builds its MCP servers from the SDK's ES modules.",
    `sdkLoader.${SDK_LOADER.call}((specifier) => import(specifier));`,
    '',
    `export const {\n${named.map((name) => `  ${name},`).join('\n')}\n} = cjs;`,
  ];
  if (names.includes('default')) lines.push('export default cjs.default;');
  return { js: `${lines.join('\n')}\n`, dts: `export * from '${from}';\n` };
}

async function main() {
  const manifest = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8'));
  const entries = Object.entries(manifest.exports)
    .filter(([subpath]) => subpath !== './package.json')
    .map(([subpath, target]) => entryOf(subpath, target));
  const loader = require(join(ROOT, 'dist/cjs', SDK_LOADER.module));
  if (typeof loader[SDK_LOADER.call] !== 'function') {
    throw new Error(`dist/cjs/${SDK_LOADER.module} has no function ${SDK_LOADER.call}`);
  }
  for (const entry of entries) {
    const names = Object.keys(require(entry.cjs)).sort();
    if (names.length === 0) throw new Error(`${entry.cjs} exports nothing`);
    const { js, dts } = wrapperOf(entry, names);
    await mkdir(dirname(entry.mjs), { recursive: true });
    await writeFile(entry.mjs, js);
    await writeFile(entry.dmts, dts);
  }
  // Each wrapper, as Node loads it: the same names, the very same objects.
  for (const entry of entries) {
    const cjs = require(entry.cjs);
    const esm = await import(pathToFileURL(entry.mjs).href);
    const esmNames = Object.keys(esm).sort().join();
    const cjsNames = Object.keys(cjs).sort().join();
    if (esmNames !== cjsNames) {
      throw new Error(`${entry.mjs}: exports [${esmNames}], its CommonJS module [${cjsNames}]`);
    }
    const different = Object.keys(cjs).filter((name) => esm[name] !== cjs[name]);
    if (different.length > 0) {
      throw new Error(`${entry.mjs}: other objects for ${different.join()}`);
    }
  }
  const count = entries.map((entry) => entry.subpath).join(', ');
  console.log(`esm-entries: ${entries.length} ES module entries (${count}) over dist/cjs`);
}

main().catch((error) => {
  console.error(`esm-entries: ${error?.message ?? error}`);
  process.exit(1);
});
