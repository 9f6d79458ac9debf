import type { McpServer, ServerContext } from '@modelcontextprotocol/server';
import { RED_PIXEL_PNG_BASE64, SILENT_WAV_BASE64 } from './conformance.media';

/** Resolves after `ms` milliseconds. */
export const pause = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/** A tool result of one text block. */
export const textResult = (text: string) => ({ content: [{ type: 'text' as const, text }] });

async function reportProgress(ctx: ServerContext): Promise<void> {
  const progressToken = ctx.mcpReq._meta?.progressToken;
  for (const progress of [0, 50, 100]) {
    if (progressToken !== undefined) {
      await ctx.mcpReq.notify({
        method: 'notifications/progress',
        params: { progressToken, progress, total: 100 },
      });
    }
    if (progress < 100) await pause(50);
  }
}

/**
 * Registers the tools whose answer is a single response, the same in both
 * eras: text, image, audio, embedded resource, mixed content, a tool error,
 * and the tool that reports progress inside its own response stream.
 */
export function registerConformanceTools(server: McpServer): void {
  server.registerTool(
    'test_simple_text',
    { description: 'Answers with one fixed line of text.' },
    () => textResult('This is a simple text response for testing.'),
  );

  server.registerTool(
    'test_image_content',
    { description: 'Answers with a 1x1 PNG image.' },
    () => ({ content: [{ type: 'image', data: RED_PIXEL_PNG_BASE64, mimeType: 'image/png' }] }),
  );

  server.registerTool(
    'test_audio_content',
    { description: 'Answers with a short silent WAV clip.' },
    () => ({ content: [{ type: 'audio', data: SILENT_WAV_BASE64, mimeType: 'audio/wav' }] }),
  );

  server.registerTool(
    'test_embedded_resource',
    { description: 'Answers with an embedded text resource.' },
    () => ({
      content: [
        {
          type: 'resource',
          resource: {
            uri: 'test://embedded-resource',
            mimeType: 'text/plain',
            text: 'This is an embedded resource content.',
          },
        },
      ],
    }),
  );

  server.registerTool(
    'test_multiple_content_types',
    { description: 'Answers with text, an image and an embedded JSON resource at once.' },
    () => ({
      content: [
        { type: 'text', text: 'Multiple content types test:' },
        { type: 'image', data: RED_PIXEL_PNG_BASE64, mimeType: 'image/png' },
        {
          type: 'resource',
          resource: {
            uri: 'test://mixed-content-resource',
            mimeType: 'application/json',
            text: JSON.stringify({ test: 'data', value: 123 }),
          },
        },
      ],
    }),
  );

  server.registerTool(
    'test_error_handling',
    { description: 'Always fails, so that the client sees a tool error (isError: true).' },
    () => {
      throw new Error('This tool intentionally returns an error for testing');
    },
  );

  server.registerTool(
    'test_tool_with_progress',
    {
      description: 'Reports progress 0, 50 and 100 of 100 when the call carries a progress token.',
    },
    async (ctx) => {
      await reportProgress(ctx);
      return textResult('Progress tool finished.');
    },
  );
}
