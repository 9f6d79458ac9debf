import type { Machine } from './machine';
import type { Row, ScenarioResult } from './report';
import { fmtValue } from './report';

const esc = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const clip = (text: string, max: number) =>
  text.length <= max ? text : `${text.slice(0, max - 1)}…`;

interface Item {
  id: string;
  row: Row;
}

/**
 * The headline chart: every row whose target is a ratio to a baseline as a
 * bar (the measured ratio) with a dashed tick at the target, green when it
 * holds and red when not, the ratio and the target written beside it in a
 * column of their own; below it, the rows with absolute targets.
 */
export function headlineSvg(results: ScenarioResult[], machine: Machine): string {
  const bars: Item[] = [];
  const absolute: Item[] = [];
  for (const result of results) {
    for (const row of result.rows) {
      if (row.target?.on === 'ratio') bars.push({ id: result.id, row });
      else if (row.target?.on === 'value') absolute.push({ id: result.id, row });
    }
  }
  const width = 1200;
  const left = 470;
  /** The column of figures right of the bars. */
  const right = 280;
  const top = 70;
  const rowHeight = 40;
  const barHeight = 18;
  const maxRatio = Math.max(
    1.5,
    ...bars.map((b) => Math.max(b.row.ratio ?? 0, b.row.target?.limit ?? 0) * 1.1),
  );
  const chartBottom = top + bars.length * rowHeight;
  const height = chartBottom + 60 + absolute.length * 20 + 40;
  const x = (ratio: number) =>
    left + ((width - left - right) * Math.min(ratio, maxRatio)) / maxRatio;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="16" y="26" font-size="16" font-weight="bold">nestjs-mcp-session: each figure relative to a baseline measured in the same run</text>`,
    `<text x="16" y="46" fill="#555">${esc(machine.summary)}</text>`,
  ];
  for (let tick = 0; tick <= maxRatio; tick += 0.5) {
    out.push(
      `<line x1="${x(tick)}" y1="${top - 8}" x2="${x(tick)}" y2="${chartBottom}" stroke="${tick === 1 ? '#999' : '#e5e5e5'}"/>`,
      `<text x="${x(tick)}" y="${chartBottom + 16}" text-anchor="middle" fill="#555">${tick.toFixed(1)}x</text>`,
    );
  }
  bars.forEach(({ id, row }, i) => {
    const y = top + i * rowHeight;
    out.push(
      `<text x="${left - 10}" y="${y + 8}" text-anchor="end">${esc(clip(`${id}. ${row.subject}`, 66))}</text>`,
      `<text x="${left - 10}" y="${y + 23}" text-anchor="end" fill="#777" font-size="11">${esc(clip(`vs ${row.baselineName}`, 76))}</text>`,
    );
    if (row.ratio === null) {
      out.push(
        `<text x="${left + 6}" y="${y + 15}" fill="#999">${esc(clip(row.note ?? 'not measured', 70))}</text>`,
      );
    } else {
      const colour = row.holds === false ? '#d9534f' : '#3c9a5f';
      const verdict = row.holds === false ? 'missed' : 'holds';
      out.push(
        `<rect x="${left}" y="${y + 2}" width="${Math.max(1, x(row.ratio) - left)}" height="${barHeight}" fill="${colour}"/>`,
        `<text x="${width - right + 16}" y="${y + 15}"><tspan font-weight="bold">${row.ratio.toFixed(2)}x</tspan> ` +
          `<tspan fill="#555">target ${esc(row.target!.text)}</tspan> <tspan fill="${colour}">${verdict}</tspan></text>`,
      );
    }
    if (row.target) {
      const tx = x(row.target.limit);
      out.push(
        `<line x1="${tx}" y1="${y - 2}" x2="${tx}" y2="${y + barHeight + 6}" stroke="#000" stroke-width="2" stroke-dasharray="3,2"/>`,
      );
    }
  });
  let y = chartBottom + 44;
  out.push(`<text x="16" y="${y}" font-weight="bold">Absolute targets</text>`);
  for (const { id, row } of absolute) {
    y += 20;
    const verdict = row.holds === null ? 'not measured' : row.holds ? 'holds' : 'missed';
    const colour = row.holds === null ? '#999' : row.holds ? '#3c9a5f' : '#d9534f';
    const figure = row.value === null ? (row.note ?? '-') : fmtValue(row.value, row.unit);
    out.push(
      `<text x="16" y="${y}">${esc(clip(`${id}. ${row.subject}`, 90))}</text>`,
      `<text x="${left + 120}" y="${y}">${esc(clip(figure, 40))} (target ${esc(row.target!.text)})</text>`,
      `<text x="${width - right}" y="${y}" fill="${colour}" font-weight="bold">${verdict}</text>`,
    );
  }
  out.push(
    `<text x="16" y="${height - 14}" fill="#555">Bars: median over alternating rounds of subject / baseline. Dashed tick: the target. Red: target missed.</text>`,
    '</svg>',
  );
  return out.join('\n') + '\n';
}
