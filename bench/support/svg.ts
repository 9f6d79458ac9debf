import type { Machine } from './machine';
import type { Row, ScenarioResult } from './report';

const esc = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

interface Bar {
  label: string;
  row: Row;
}

/**
 * The headline chart: every row whose target is a ratio to a baseline, as a
 * bar (the measured ratio) with a tick at the target, green when it holds.
 */
export function headlineSvg(results: ScenarioResult[], machine: Machine): string {
  const bars: Bar[] = [];
  for (const result of results) {
    for (const r of result.rows) {
      if (r.target?.on !== 'ratio') continue;
      bars.push({ label: `${result.id}. ${r.subject} vs ${r.baselineName || 'baseline'}`, row: r });
    }
  }
  const width = 900;
  const left = 430;
  const right = 60;
  const top = 60;
  const barHeight = 22;
  const gap = 12;
  const bottom = 60;
  const maxRatio = Math.max(
    1.5,
    ...bars.map((b) => Math.max(b.row.ratio ?? 0, b.row.target?.limit ?? 0) * 1.1),
  );
  const height = top + bars.length * (barHeight + gap) + bottom;
  const x = (ratio: number) => left + ((width - left - right) * ratio) / maxRatio;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="16" y="24" font-size="16" font-weight="bold">nestjs-mcp-session: throughput relative to a baseline measured in the same run</text>`,
    `<text x="16" y="44" fill="#555">${esc(machine.summary)}</text>`,
  );
  for (const tick of [0, 0.5, 1, 1.5, 2, 2.5, 3].filter((t) => t <= maxRatio)) {
    parts.push(
      `<line x1="${x(tick)}" y1="${top - 6}" x2="${x(tick)}" y2="${height - bottom + 4}" stroke="${tick === 1 ? '#888' : '#e3e3e3'}"/>`,
      `<text x="${x(tick)}" y="${height - bottom + 18}" text-anchor="middle" fill="#555">${tick.toFixed(1)}x</text>`,
    );
  }
  bars.forEach((bar, i) => {
    const y = top + i * (barHeight + gap);
    const { ratio, target, holds, note } = bar.row;
    parts.push(
      `<text x="${left - 8}" y="${y + barHeight / 2 + 4}" text-anchor="end">${esc(bar.label)}</text>`,
    );
    if (ratio === null) {
      parts.push(
        `<text x="${left + 6}" y="${y + barHeight / 2 + 4}" fill="#999">${esc(note ?? 'not measured')}</text>`,
      );
    } else {
      const colour = holds === false ? '#d9534f' : '#3c9a5f';
      parts.push(
        `<rect x="${left}" y="${y}" width="${Math.max(1, x(ratio) - left)}" height="${barHeight}" fill="${colour}"/>`,
        `<text x="${x(ratio) + 6}" y="${y + barHeight / 2 + 4}">${ratio.toFixed(2)}x</text>`,
      );
    }
    if (target) {
      parts.push(
        `<line x1="${x(target.limit)}" y1="${y - 3}" x2="${x(target.limit)}" y2="${y + barHeight + 3}" stroke="#000" stroke-width="2" stroke-dasharray="3,2"/>`,
      );
    }
  });
  parts.push(
    `<text x="16" y="${height - 16}" fill="#555">Bars: median of alternating rounds (subject / baseline). Dashed tick: target. Red: target missed.</text>`,
    `</svg>`,
  );
  return parts.join('\n') + '\n';
}
