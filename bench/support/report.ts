import { fmtRate } from './measure';

/** What a target constrains: the ratio to the baseline, or the figure itself. */
export interface Target {
  on: 'ratio' | 'value';
  op: '>=' | '<=';
  limit: number;
  /** How the target reads in the table, e.g. `>= 0.80x`. */
  text: string;
}

/** One line of a scenario table. */
export interface Row {
  /** What was measured (the subject). */
  subject: string;
  unit: string;
  value: number | null;
  p50Ms?: number;
  p99Ms?: number;
  baselineName: string;
  baseline: number | null;
  /** value / baseline */
  ratio: number | null;
  target?: Target;
  /** `null` when there is no target or nothing was measured. */
  holds: boolean | null;
  /** `not measured: <reason>` or a remark. */
  note?: string;
}

/** One scenario's table and its context. */
export interface ScenarioResult {
  id: string;
  title: string;
  /** Conditions worth stating (in flight, scale, quick-mode reductions). */
  setup: string;
  rows: Row[];
}

/** Fills `ratio` and `holds` from value, baseline and target. */
export function row(fields: Omit<Row, 'ratio' | 'holds'> & { ratio?: number | null }): Row {
  const ratio =
    fields.ratio !== undefined
      ? fields.ratio
      : fields.value !== null && fields.baseline !== null && fields.baseline !== 0
        ? fields.value / fields.baseline
        : null;
  let holds: boolean | null = null;
  if (fields.target) {
    const measured = fields.target.on === 'ratio' ? ratio : fields.value;
    if (measured !== null && Number.isFinite(measured)) {
      holds =
        fields.target.op === '>='
          ? measured >= fields.target.limit
          : measured <= fields.target.limit;
    }
  }
  return { ...fields, ratio, holds };
}

/** A row for something that could not be measured in this run. */
export function notMeasured(subject: string, reason: string, target?: Target): Row {
  return {
    subject,
    unit: '',
    value: null,
    baselineName: '',
    baseline: null,
    ratio: null,
    target,
    holds: null,
    note: `not measured: ${reason}`,
  };
}

/** A target on the ratio. */
export const ratioAtLeast = (limit: number): Target => ({
  on: 'ratio',
  op: '>=',
  limit,
  text: `>= ${limit.toFixed(2)}x`,
});

/** A target on the ratio, from above (the subject costs at most `limit` times the baseline). */
export const ratioAtMost = (limit: number): Target => ({
  on: 'ratio',
  op: '<=',
  limit,
  text: `<= ${limit.toFixed(2)}x`,
});

/** A target on the figure itself. */
export const valueAtMost = (limit: number, unit: string): Target => ({
  on: 'value',
  op: '<=',
  limit,
  text: `<= ${limit} ${unit}`,
});

/** A figure formatted for its unit. */
export function fmtValue(value: number | null, unit: string): string {
  if (value === null || !Number.isFinite(value)) return '-';
  if (unit.endsWith('/s')) return `${fmtRate(value)} ${unit}`;
  if (unit === 'ms') return `${value < 10 ? value.toFixed(2) : value.toFixed(0)} ms`;
  if (unit === 's') return `${value.toFixed(2)} s`;
  if (unit === 'bytes') return `${Math.round(value)} B`;
  return `${value < 10 ? value.toFixed(3) : value.toFixed(1)} ${unit}`.trim();
}

const fmtMs = (ms: number | undefined) => (ms === undefined ? '-' : ms.toFixed(2));
const fmtHolds = (holds: boolean | null) => (holds === null ? '-' : holds ? 'yes' : 'NO');

/** The header and cells of a scenario table, shared by the console and Markdown. */
export function tableCells(result: ScenarioResult): string[][] {
  const header = ['subject', 'figure', 'p50 ms', 'p99 ms', 'baseline', 'ratio', 'target', 'holds'];
  const lines = result.rows.map((r) =>
    r.value === null && r.note
      ? [r.subject, r.note, '', '', '', '', r.target?.text ?? '', '-']
      : [
          r.subject + (r.note ? ` (${r.note})` : ''),
          fmtValue(r.value, r.unit),
          fmtMs(r.p50Ms),
          fmtMs(r.p99Ms),
          r.baseline === null ? '-' : `${r.baselineName}: ${fmtValue(r.baseline, r.unit)}`,
          r.ratio === null ? '-' : `${r.ratio.toFixed(2)}x`,
          r.target?.text ?? '-',
          fmtHolds(r.holds),
        ],
  );
  return [header, ...lines];
}

/** A scenario table as aligned plain text. */
export function consoleTable(result: ScenarioResult): string {
  const cells = tableCells(result);
  const widths = cells[0].map((_, c) => Math.max(...cells.map((line) => line[c].length)));
  const fmt = (line: string[]) => line.map((cell, c) => cell.padEnd(widths[c])).join(' | ');
  const rule = widths.map((w) => '-'.repeat(w)).join('-+-');
  return [
    `\n## ${result.id}. ${result.title}`,
    result.setup,
    fmt(cells[0]),
    rule,
    ...cells.slice(1).map(fmt),
  ].join('\n');
}

/** One line per row with a target: held, missed (and by how much) or not measured. */
export function targetSummary(results: ScenarioResult[]): string[] {
  const lines: string[] = [];
  for (const result of results) {
    for (const r of result.rows) {
      if (!r.target) continue;
      const label = `${result.id}. ${r.subject} (target ${r.target.text})`;
      const measured = r.target.on === 'ratio' ? r.ratio : r.value;
      if (r.holds === null || measured === null) {
        lines.push(`- ${label}: ${r.note?.startsWith('not measured') ? r.note : 'not measured'}`);
        continue;
      }
      const shown =
        r.target.on === 'ratio' ? `${measured.toFixed(2)}x` : fmtValue(measured, r.unit);
      if (r.holds) {
        lines.push(`- ${label}: holds, ${shown}`);
      } else {
        const off = Math.abs(measured - r.target.limit) / r.target.limit;
        const way = r.target.op === '>=' ? 'short' : 'over';
        lines.push(`- ${label}: **missed**, ${shown}, ${(off * 100).toFixed(0)}% ${way}`);
      }
    }
  }
  return lines;
}
