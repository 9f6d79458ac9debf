import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { markdownTable, writeBenchmarksDoc } from '../../bench/support/docs';
import type { Machine } from '../../bench/support/machine';
import { median, pairedRatio, summarize } from '../../bench/support/measure';
import {
  notMeasured,
  ratioAtLeast,
  row,
  targetSummary,
  valueAtMost,
  type ScenarioResult,
} from '../../bench/support/report';

// The benchmark's bookkeeping only: no timing is measured or asserted here.

const machine: Machine = {
  cpus: 2,
  cpuModel: 'test cpu',
  memoryGiB: 1,
  node: 'v0',
  redis: '0',
  platform: 'test',
  summary: '2 CPUs (test cpu)',
};

const round = (perSec: number) => ({ ops: perSec, perSec, p50Ms: 1, p99Ms: 2 });

describe('bench bookkeeping', () => {
  it('takes medians of odd and even lists', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('pairs rounds for a ratio, so that drift hitting both sides cancels out', () => {
    const subject = summarize('s', [round(80), round(40), round(160)]);
    const baseline = summarize('b', [round(100), round(50), round(200)]);
    expect(pairedRatio(subject, baseline)).toBeCloseTo(0.8);
  });

  it('decides whether a target holds, on the ratio or on the figure', () => {
    const ratioRow = row({
      subject: 's',
      unit: 'ops/s',
      value: 70,
      baselineName: 'b',
      baseline: 100,
      target: ratioAtLeast(0.8),
    });
    expect(ratioRow.ratio).toBeCloseTo(0.7);
    expect(ratioRow.holds).toBe(false);
    const valueRow = row({
      subject: 'stall',
      unit: 'ms',
      value: 12,
      baselineName: 'idle',
      baseline: 4,
      target: valueAtMost(20, 'ms'),
    });
    expect(valueRow.holds).toBe(true);
    expect(notMeasured('x', 'why', ratioAtLeast(1)).holds).toBeNull();
  });

  it('says by how much a target was missed', () => {
    const result: ScenarioResult = {
      id: '9',
      title: 't',
      setup: '',
      rows: [
        row({ subject: 'a', unit: 'bytes', value: 600, baselineName: 'b', baseline: 400, target: valueAtMost(500, 'B') }),
        row({ subject: 'c', unit: 'ops/s', value: 50, baselineName: 'd', baseline: 100, target: ratioAtLeast(0.8) }),
        notMeasured('e', 'store missing', ratioAtLeast(0.8)),
      ],
    }; // prettier-ignore
    expect(targetSummary([result])).toEqual([
      '- 9. a (target <= 500 B): **missed**, 600 B, 20% over',
      '- 9. c (target >= 0.80x): **missed**, 0.50x, 38% short',
      '- 9. e (target >= 0.80x): not measured: store missing',
    ]);
  });

  it('escapes pipes in Markdown cells', () => {
    const table = markdownTable({
      id: '1',
      title: 't',
      setup: 's',
      rows: [row({ subject: 'a | b', unit: 'ms', value: 1, baselineName: 'x', baseline: 2 })],
    });
    expect(table).toContain('a \\| b');
  });

  it('rewrites only the generated part of BENCHMARKS.md', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-doc-'));
    try {
      const path = join(dir, 'BENCHMARKS.md');
      writeFileSync(
        path,
        '# Head\n\n<!-- bench:results:start -->\nold\n<!-- bench:results:end -->\n\n## Analysis kept\n',
      );
      writeBenchmarksDoc(path, [], machine, {
        command: 'npm run bench',
        date: 'today',
        quick: false,
        seconds: 1,
      });
      const text = readFileSync(path, 'utf8');
      expect(text.startsWith('# Head\n')).toBe(true);
      expect(text).toContain('## Analysis kept');
      expect(text).toContain('Machine: 2 CPUs (test cpu).');
      expect(text).not.toContain('old');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
