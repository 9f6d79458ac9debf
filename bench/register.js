// Lets `node -r ./bench/register.js bench/run.ts` run the TypeScript sources
// directly: each .ts file outside node_modules is transpiled on load (no type
// check here; `npx tsc --noEmit -p tsconfig.json` covers bench/ too). This
// keeps the bench independent of a build step and of work in progress in
// files it does not load.
//
// Transpiled files are cached by content under node_modules/.cache (every
// bench app is a process of its own: without the cache each one loads the
// compiler and transpiles lib/ again, seconds per app on a small machine).
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const CACHE = path.join(__dirname, '..', 'node_modules', '.cache', 'bench-transpiled');
let ts;
let compilerOptions;
let version;

function compiler() {
  if (ts === undefined) {
    ts = require('typescript');
    compilerOptions = {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      useDefineForClassFields: false,
      inlineSourceMap: true,
    };
  }
  return ts;
}

/** What the output depends on besides the source: this file and the compiler's version. */
function cacheVersion() {
  if (version === undefined) {
    const own = fs.readFileSync(__filename, 'utf8');
    const pkg = require.resolve('typescript/package.json');
    version = `${own}\0${JSON.parse(fs.readFileSync(pkg, 'utf8')).version}`;
  }
  return version;
}

function transpile(source, filename) {
  const key = crypto
    .createHash('sha256')
    .update(cacheVersion())
    .update('\0')
    .update(filename)
    .update('\0')
    .update(source)
    .digest('hex');
  const cached = path.join(CACHE, `${key}.js`);
  try {
    return fs.readFileSync(cached, 'utf8');
  } catch {
    // Not cached yet.
  }
  const typescript = compiler();
  const { outputText } = typescript.transpileModule(source, { compilerOptions, fileName: filename });
  try {
    fs.mkdirSync(CACHE, { recursive: true });
    const temporary = `${cached}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, outputText);
    fs.renameSync(temporary, cached);
  } catch {
    // A read-only tree: transpile every time.
  }
  return outputText;
}

require.extensions['.ts'] = function transpileTs(module, filename) {
  if (filename.includes('node_modules')) throw new Error(`bench: will not transpile ${filename}`);
  module._compile(transpile(fs.readFileSync(filename, 'utf8'), filename), filename);
};
