// The fault suite's table and its targets.
import type { Phase } from './fault-load';
import { HEAP_MB } from './fault-processes';

/** maxLocalSessions of the fault instances. */
export const MAX_LOCAL_SESSIONS = 300;

/** Totals the targets are checked against. */
export interface Totals {
  sessionsChecked: number;
  sessionsLost: number;
  updatesLost: number;
  phantomUpdates: number;
  resurrections: number;
  unhandled: number;
  rssBoundMb: number;
  rssPeakMb: number;
  floodSeconds: number;
  floodSessions: number;
  ownerFlood: { admitted: number; refused: number; cap: number };
  hostileFailures: string[];
  corruptAnswers: Map<string, string>;
  /** Sessions of the load that answered 404 at the end, with what Redis holds. */
  lostSessions: string[];
  /** Corrupt values that DELETE did not remove (the store could not move them aside). */
  stuckValues: number;
  /** RSS of the flooded instance every 5 s of the flood (MB). */
  rssTimeline: number[];
}

function cell(value: number | undefined): string {
  return value === undefined ? '-' : `${value} ms`;
}

/** The table: requests sent, status counts, time to first 503 and to recovery per phase. */
export function table(phases: Phase[]): string {
  const rows = phases.map((phase) => {
    const statuses = [...phase.outcomes.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([status, n]) => `${status}:${n}`)
      .join(' ');
    const tool = phase.toolErrors > 0 ? ` (tool errors ${phase.toolErrors})` : '';
    return [
      phase.name,
      String(phase.sent),
      statuses + tool,
      cell(phase.first503),
      cell(phase.recovery),
    ];
  });
  const head = ['phase', 'requests', 'statuses', 'first 503', 'recovery'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (row: string[]) =>
    row
      .map((text, i) => text.padEnd(widths[i]))
      .join(' | ')
      .trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)].join('\n');
}

/** Each target with its figure and verdict. */
export function targets(
  phases: Phase[],
  totals: Totals,
): { name: string; figure: string; ok: boolean }[] {
  const outage = phases.filter((phase) => phase.backAt !== undefined);
  const fiveHundreds = phases.reduce((sum, phase) => sum + phase.fiveHundreds, 0);
  const slowest = Math.max(...outage.map((phase) => phase.recovery ?? Infinity));
  const ratio = totals.rssPeakMb / totals.rssBoundMb;
  return [
    {
      name: 'sessions lost (Redis with appendonly)',
      figure: `${totals.sessionsLost} of ${totals.sessionsChecked}`,
      ok: totals.sessionsLost === 0,
    },
    { name: 'updates lost', figure: String(totals.updatesLost), ok: totals.updatesLost === 0 },
    {
      name: 'phantom updates',
      figure: String(totals.phantomUpdates),
      ok: totals.phantomUpdates === 0,
    },
    { name: 'resurrections', figure: String(totals.resurrections), ok: totals.resurrections === 0 },
    {
      name: 'corrupt values removed by DELETE',
      figure: `${totals.corruptAnswers.size - totals.stuckValues} of ${totals.corruptAnswers.size}`,
      ok: totals.stuckValues === 0,
    },
    { name: 'unhandled errors', figure: String(totals.unhandled), ok: totals.unhandled === 0 },
    { name: '5xx other than 503', figure: String(fiveHundreds), ok: fiveHundreds === 0 },
    {
      name: 'hostile requests answered below 500',
      figure:
        totals.hostileFailures.length === 0 ? 'all' : `${totals.hostileFailures.length} failed`,
      ok: totals.hostileFailures.length === 0,
    },
    {
      name: `peak RSS under a ${totals.floodSeconds} s flood / peak RSS of a 10 s warm-up flood (heap limit ${HEAP_MB} MB, maxLocalSessions ${MAX_LOCAL_SESSIONS})`,
      figure: `${totals.rssPeakMb.toFixed(0)} / ${totals.rssBoundMb.toFixed(0)} MB = ${ratio.toFixed(2)}x (${totals.floodSessions} sessions created)`,
      ok: ratio <= 1.2,
    },
    {
      name: 'sessions admitted to one owner past perOwner',
      figure: `${totals.ownerFlood.admitted} admitted, ${totals.ownerFlood.refused} x 429 (cap ${totals.ownerFlood.cap})`,
      ok: totals.ownerFlood.admitted <= totals.ownerFlood.cap && totals.ownerFlood.refused > 0,
    },
    {
      name: 'recovery after Redis returns',
      figure: `${slowest} ms (slowest)`,
      ok: slowest <= 1_000,
    },
  ];
}
