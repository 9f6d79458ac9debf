import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestLogger } from './conformance.logging';
import { RED_PIXEL_PNG_BASE64, SILENT_WAV_BASE64 } from './conformance.media';

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Registers the tools whose answer is a single response: text, image, audio,
 * embedded resource, mixed content, a tool error, and the two tools that send
 * log and progress notifications inside their own response stream.
 */
export function registerConformanceTools(server: McpServer, log: RequestLogger): void {
  server.registerTool(
    'test_simple_text',
    { description: 'Answers with one fixed line of text.' },
    async () => ({
      content: [{ type: 'text', text: 'This is a simple text response for testing.' }],
    }),
  );

  server.registerTool(
    'test_image_content',
    { description: 'Answers with a 1x1 PNG image.' },
    async () => ({
      content: [{ type: 'image', data: RED_PIXEL_PNG_BASE64, mimeType: 'image/png' }],
    }),
  );

  server.registerTool(
    'test_audio_content',
    { description: 'Answers with a short silent WAV clip.' },
    async () => ({
      content: [{ type: 'audio', data: SILENT_WAV_BASE64, mimeType: 'audio/wav' }],
    }),
  );

  server.registerTool(
    'test_embedded_resource',
    { description: 'Answers with an embedded text resource.' },
    async () => ({
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
    async () => ({
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
    async () => {
      throw new Error('This tool intentionally returns an error for testing');
    },
  );

  server.registerTool(
    'test_tool_with_logging',
    { description: 'Sends three info log messages, 50 ms apart, while it runs.' },
    async (extra) => {
      await log(extra, 'info', 'Tool execution started');
      await pause(50);
      await log(extra, 'info', 'Tool processing data');
      await pause(50);
      await log(extra, 'info', 'Tool execution completed');
      return { content: [{ type: 'text', text: 'Logging tool finished (3 messages sent).' }] };
    },
  );

  server.registerTool(
    'test_tool_with_progress',
    {
      description: 'Reports progress 0, 50 and 100 of 100 when the call carries a progress token.',
    },
    async (extra) => {
      const progressToken = extra._meta?.progressToken;
      for (const progress of [0, 50, 100]) {
        if (progressToken !== undefined) {
          await extra.sendNotification({
            method: 'notifications/progress',
            params: { progressToken, progress, total: 100 },
          });
        }
        if (progress < 100) await pause(50);
      }
      return { content: [{ type: 'text', text: 'Progress tool finished.' }] };
    },
  );
}
