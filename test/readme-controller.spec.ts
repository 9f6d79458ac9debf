import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');

describe('README: the MCP controller snippet', () => {
  it('is the sample controller that the SDK-client specs run', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
    const snippet = blocks.find((block) => block.includes('export class McpController {\n'));
    const sample = readFileSync(join(ROOT, 'sample', 'mcp.controller.ts'), 'utf8');
    expect(snippet).toBe(sample.replace("from '../lib'", "from 'nestjs-mcp-session'"));
  });
});
