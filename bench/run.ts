import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bytesPerSession } from './scenarios/bytes-per-session';
import { cachingTouch } from './scenarios/caching-touch';
import { cleanupAtScale } from './scenarios/cleanup-at-scale';
import { httpLegacyCall } from './scenarios/http-legacy-call';
import { httpModernCall } from './scenarios/http-modern-call';
import { httpRekog } from './scenarios/http-rekog';
import { httpToolsCall } from './scenarios/http-tools-call';
import { postgresStore } from './scenarios/postgres';
import { sessionRouting } from './scenarios/session-routing';
import { redisTouchVsGet, redisTouchVsPeer } from './scenarios/redis-touch';
import { touchAtScale } from './scenarios/touch-at-scale';
import { parseArgs, type BenchContext, type Scenario } from './support/context';
import { writeBenchmarksDoc } from './support/docs';
import { machine } from './support/machine';
import { progress } from './support/progress';
import { stopAllRedis, stopAllRedisSync } from './support/redis';
import { consoleTable, notMeasured, targetSummary, type ScenarioResult } from './support/report';
import { headlineSvg } from './support/svg';

/** Every scenario, in the order they run (results are listed by id). */
const SCENARIOS: Scenario[] = [
  redisTouchVsGet,
  redisTouchVsPeer,
  cachingTouch,
  httpToolsCall,
  bytesPerSession,
  touchAtScale,
  cleanupAtScale,
  postgresStore,
  httpModernCall,
  httpLegacyCall,
  httpRekog,
  sessionRouting,
];

const ROOT = join(__dirname, '..');

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const ctx: BenchContext = args.quick
    ? { quick: true, rounds: 3, roundMs: 400, warmupMs: 150, scale: 100_000, teardown: [], fixtures: new Map() }
    : { quick: false, rounds: 7, roundMs: 1500, warmupMs: 500, scale: 1_000_000, teardown: [], fixtures: new Map() }; // prettier-ignore
  const box = machine();
  const began = Date.now();
  progress(`nestjs-mcp-session benchmarks${ctx.quick ? ' (quick)' : ''} on ${box.summary}`);
  if (typeof global.gc !== 'function') progress('warning: run with --expose-gc for heap figures');

  const results: ScenarioResult[] = [];
  try {
    for (const scenario of SCENARIOS) {
      if (args.only && !args.only.has(scenario.id)) continue;
      progress(`scenario ${scenario.id}: ${scenario.title}`);
      let result: ScenarioResult;
      try {
        result = await scenario.run(ctx);
      } catch (error) {
        progress(`scenario ${scenario.id} failed: ${(error as Error).stack ?? String(error)}`);
        result = {
          id: scenario.id,
          title: scenario.title,
          setup: '',
          rows: [notMeasured(scenario.title, `failed: ${(error as Error).message}`)],
        };
      }
      results.push(result);
      process.stdout.write(consoleTable(result) + '\n');
    }
  } finally {
    for (const step of ctx.teardown.reverse()) await step().catch(() => undefined);
    await stopAllRedis();
  }

  results.sort((a, b) => Number(a.id) - Number(b.id));
  process.stdout.write(`\n## Targets\n${targetSummary(results).join('\n')}\n`);
  if (args.only) {
    progress('--only: partial run, bench/results.json and docs/ left as they are');
    return;
  }
  const seconds = (Date.now() - began) / 1000;
  const command = `npm run bench${ctx.quick ? ' -- --quick' : ''}`;
  const date = new Date().toISOString();
  const out = {
    date,
    command,
    quick: ctx.quick,
    seconds,
    settings: {
      rounds: ctx.rounds,
      roundMs: ctx.roundMs,
      warmupMs: ctx.warmupMs,
      scale: ctx.scale,
    },
    machine: box,
    scenarios: results,
  };
  const resultsPath = join(ROOT, 'bench', 'results.json');
  writeFileSync(`${resultsPath}.tmp`, JSON.stringify(out, null, 2) + '\n');
  renameSync(`${resultsPath}.tmp`, resultsPath);
  mkdirSync(join(ROOT, 'docs'), { recursive: true });
  writeFileSync(join(ROOT, 'docs', 'benchmarks.svg'), headlineSvg(results, box));
  writeBenchmarksDoc(join(ROOT, 'docs', 'BENCHMARKS.md'), results, box, {
    command,
    date,
    quick: ctx.quick,
    seconds,
  });
  progress(
    `done in ${seconds.toFixed(0)} s: bench/results.json, docs/benchmarks.svg, docs/BENCHMARKS.md`,
  );
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    stopAllRedisSync();
    process.exit(130);
  });
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    stopAllRedisSync();
    process.exit(1);
  },
);
