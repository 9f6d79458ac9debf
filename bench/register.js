// Lets `node -r ./bench/register.js bench/run.ts` run the TypeScript sources
// directly: each .ts file outside node_modules is transpiled on load (no type
// check here; `npx tsc --noEmit -p tsconfig.json` covers bench/ too). This
// keeps the bench independent of a build step and of work in progress in
// files it does not load.
'use strict';
const fs = require('node:fs');
const ts = require('typescript');

const compilerOptions = {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2022,
  esModuleInterop: true,
  experimentalDecorators: true,
  emitDecoratorMetadata: true,
  useDefineForClassFields: false,
  inlineSourceMap: true,
};

require.extensions['.ts'] = function transpileTs(module, filename) {
  if (filename.includes('node_modules')) throw new Error(`bench: will not transpile ${filename}`);
  const source = fs.readFileSync(filename, 'utf8');
  const { outputText } = ts.transpileModule(source, { compilerOptions, fileName: filename });
  module._compile(outputText, filename);
};
