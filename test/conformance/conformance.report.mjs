// Reading the conformance suite's results back for the runner's report.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A section header in the runner's output. */
export function banner(text) {
  console.log(`\n${'='.repeat(72)}\n${text}\n${'='.repeat(72)}`);
}

/**
 * The server scenarios a requirement set scores, from the suite's own frozen
 * `requirements/<revision>.yaml` (the `server:` list; `not_scored` entries
 * run but never count).
 */
export function scoredScenarios(suiteDir, revision) {
  const text = readFileSync(join(suiteDir, 'requirements', `${revision}.yaml`), 'utf8');
  const scenarios = [];
  let inServer = false;
  for (const line of text.split('\n')) {
    if (/^\S/.test(line)) inServer = /^server:\s*$/.test(line);
    else if (inServer) {
      const item = /^\s+-\s+([\w./-]+)\s*(#.*)?$/.exec(line);
      if (item) scenarios.push(item[1]);
    }
  }
  if (scenarios.length === 0)
    throw new Error(`no server scenarios in requirements/${revision}.yaml`);
  return scenarios;
}

/** Each scenario's checks, from the suite's `<outputDir>/server-<scenario>-<time>/checks.json`. */
function checksByScenario(outputDir) {
  const found = new Map();
  if (!existsSync(outputDir)) return found;
  for (const entry of readdirSync(outputDir, { withFileTypes: true })) {
    const file = join(outputDir, entry.name, 'checks.json');
    const match = /^server-(.+)-\d{4}-\d{2}-\d{2}T/.exec(entry.name);
    if (!entry.isDirectory() || !match || !existsSync(file)) continue;
    found.set(match[1], JSON.parse(readFileSync(file, 'utf8')));
  }
  return found;
}

const failing = (check) => check.status === 'FAILURE' || check.status === 'WARNING';

/**
 * The score of one run: scored scenarios passing (no failing or warning
 * check, as the suite's baseline counts them) and their checks passing
 * (SUCCESS of SUCCESS + FAILURE, as the suite's own totals count them); the
 * scenarios run but not scored; and one line per failing or warning check.
 * A scored scenario without results (the suite could not run it) counts as
 * failing.
 */
export function scoreOf(outputDir, scored) {
  const results = checksByScenario(outputDir);
  const problems = [];
  const score = {
    scenarios: { passed: 0, total: scored.length },
    checks: { passed: 0, total: 0, warnings: 0 },
    notScored: { run: 0, failing: [] },
    problems,
  };
  for (const scenario of scored) {
    const checks = results.get(scenario);
    if (checks === undefined) {
      problems.push(`  FAILURE ${scenario}: no results (the suite could not run it; see its log)`);
      continue;
    }
    if (!checks.some(failing)) score.scenarios.passed += 1;
    for (const check of checks) {
      if (check.status === 'SUCCESS') score.checks.passed += 1;
      if (check.status === 'SUCCESS' || check.status === 'FAILURE') score.checks.total += 1;
      if (check.status === 'WARNING') score.checks.warnings += 1;
      if (failing(check)) {
        problems.push(`  ${check.status} ${scenario} / ${check.id}: ${check.errorMessage ?? ''}`);
      }
    }
  }
  for (const [scenario, checks] of results) {
    if (scored.includes(scenario)) continue;
    score.notScored.run += 1;
    if (checks.some((check) => check.status === 'FAILURE')) score.notScored.failing.push(scenario);
  }
  score.notScored.failing.sort();
  return score;
}

/** One line of the final summary for a run's score. */
export function scoreLine(score) {
  const { scenarios, checks, notScored } = score;
  const warnings = checks.warnings > 0 ? `, ${checks.warnings} warnings` : '';
  const extra =
    notScored.run > 0
      ? `; not scored: ${notScored.run} run, ${notScored.failing.length} failing` +
        (notScored.failing.length > 0 ? ` (${compact(notScored.failing)})` : '')
      : '';
  return (
    `${scenarios.passed}/${scenarios.total} scenarios, ` +
    `${checks.passed}/${checks.total} checks${warnings}${extra}`
  );
}

/** `tasks-a, tasks-b, x` → `tasks-* (2), x`: names sharing a prefix before the first dash. */
function compact(names) {
  const groups = new Map();
  for (const name of names) {
    const prefix = name.split('-')[0];
    groups.set(prefix, [...(groups.get(prefix) ?? []), name]);
  }
  return [...groups.values()]
    .map((group) =>
      group.length > 2 ? `${group[0].split('-')[0]}-* (${group.length})` : group.join(', '),
    )
    .join(', ');
}
