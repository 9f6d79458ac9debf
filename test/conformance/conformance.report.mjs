// Reading the conformance suite's output back for the runner's report.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A section header in the runner's output. */
export function banner(text) {
  console.log(`\n${'='.repeat(72)}\n${text}\n${'='.repeat(72)}`);
}

/** The suite's own summary: from "=== SUMMARY ===" to the end of its output. */
export function summaryOf(output) {
  const start = output.indexOf('=== SUMMARY ===');
  return start === -1 ? output.split('\n').slice(-40).join('\n') : output.slice(start);
}

/** Checks passed and checks run (passed + failed), from the suite's "Total:" line. */
export function totalsOf(output) {
  const match = /Total: (\d+) passed, (\d+) failed/.exec(output);
  return match
    ? { passed: Number(match[1]), total: Number(match[1]) + Number(match[2]) }
    : undefined;
}

/** Failing and warning checks, read back from the suite's checks.json files. */
export function problemsIn(outputDir) {
  const lines = [];
  for (const entry of readdirSync(outputDir, { withFileTypes: true })) {
    const file = join(outputDir, entry.name, 'checks.json');
    if (!entry.isDirectory() || !existsSync(file)) continue;
    for (const check of JSON.parse(readFileSync(file, 'utf8'))) {
      if (check.status === 'FAILURE' || check.status === 'WARNING') {
        lines.push(
          `  ${check.status} ${entry.name.replace(/-\d{4}-.*$/, '')} / ${check.id}: ${check.errorMessage ?? ''}`,
        );
      }
    }
  }
  return lines.sort();
}
