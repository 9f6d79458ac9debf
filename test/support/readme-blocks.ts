import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One fenced code block of README.md. */
export interface ReadmeBlock {
  /** The fence's language (`ts`, `bash`, or `''`). */
  lang: string;
  /** The block's text, ending with a newline. */
  code: string;
  /** README.md line (1-based) of the block's first line of code. */
  line: number;
  /** The file the block is, from a first line such as `// app.module.ts`; else `snippet.ts`. */
  file: string;
}

const README = join(__dirname, '..', '..', 'README.md');
const FILE_MARKER = /^\/\/ ([\w.-]+\.ts)\s*$/;

/** Every fenced code block of README.md, in order. */
export function readmeBlocks(path = README): ReadmeBlock[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const blocks: ReadmeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i]);
    if (!open) continue;
    const end = lines.findIndex((line, j) => j > i && /^```\s*$/.test(line));
    if (end < 0) throw new Error(`README.md:${i + 1}: code block never closed`);
    const body = lines.slice(i + 1, end);
    const marker = FILE_MARKER.exec(body[0] ?? '');
    blocks.push({
      lang: open[1],
      code: body.map((line) => `${line}\n`).join(''),
      line: i + 2,
      file: marker ? marker[1] : 'snippet.ts',
    });
    i = end;
  }
  return blocks;
}
