import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readmeBlocks } from './support/readme-blocks';

const ROOT = join(__dirname, '..');

describe('README: the MCP controller snippet', () => {
  it('is the sample controller that the SDK-client specs run', () => {
    const snippet = readmeBlocks().find(
      (block) => block.file === 'mcp.controller.ts' && block.code.includes('McpSessionTransports'),
    );
    expect(snippet).toBeDefined();
    const sample = readFileSync(join(ROOT, 'sample', 'mcp.controller.ts'), 'utf8');
    expect(snippet!.code).toBe(
      `// mcp.controller.ts\n${sample.replace("from '../lib'", "from 'nestjs-mcp-session'")}`,
    );
  });
});
