import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Machine } from './machine';
import { tableCells, targetSummary, type ScenarioResult } from './report';

const START = '<!-- bench:results:start -->';
const END = '<!-- bench:results:end -->';

const cell = (text: string) => text.replace(/\|/g, '\\|');

/** A scenario table in Markdown. */
export function markdownTable(result: ScenarioResult): string {
  const cells = tableCells(result);
  const lines = [
    `### ${result.id}. ${result.title}`,
    '',
    result.setup,
    '',
    `| ${cells[0].join(' | ')} |`,
    `|${cells[0].map(() => '---').join('|')}|`,
    ...cells.slice(1).map((line) => `| ${line.map(cell).join(' | ')} |`),
    '',
  ];
  return lines.join('\n');
}

/**
 * Rewrites the generated part of `docs/BENCHMARKS.md` (between the markers),
 * keeping the hand-written text around it. Creates the file when missing.
 */
export function writeBenchmarksDoc(
  path: string,
  results: ScenarioResult[],
  machine: Machine,
  meta: { command: string; date: string; quick: boolean; seconds: number },
): void {
  const generated = [
    START,
    '',
    `Run of ${meta.date}: \`${meta.command}\`${meta.quick ? ' (quick mode: fewer, shorter rounds and smaller scales; not the reference figures)' : ''}, ${Math.round(meta.seconds)} s.`,
    '',
    `Machine: ${machine.summary}.`,
    '',
    '![Throughput relative to a baseline measured in the same run](benchmarks.svg)',
    '',
    '#### Targets',
    '',
    ...targetSummary(results),
    '',
    ...results.map(markdownTable),
    END,
  ].join('\n');
  const current = existsSync(path)
    ? readFileSync(path, 'utf8')
    : `# Benchmarks\n\n${START}\n${END}\n`;
  const start = current.indexOf(START);
  const end = current.indexOf(END);
  const next =
    start >= 0 && end > start
      ? current.slice(0, start) + generated + current.slice(end + END.length)
      : `${current.trimEnd()}\n\n${generated}\n`;
  writeFileSync(path, next);
}
