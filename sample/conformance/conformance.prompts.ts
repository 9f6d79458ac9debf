import {
  acceptedContent,
  completable,
  inputRequired,
  type McpServer,
} from '@modelcontextprotocol/server';
import { z } from 'zod';
import { oneField } from './conformance.input-required';
import { RED_PIXEL_PNG_BASE64 } from './conformance.media';

const ARG1_SUGGESTIONS = ['paris', 'park', 'party', 'test', 'testing', 'tested'];

const userText = (text: string) => ({
  role: 'user' as const,
  content: { type: 'text' as const, text },
});

/**
 * Registers the prompts: a plain one, one with two arguments (the first one
 * completable, which also declares the `completions` capability), one that
 * embeds a resource, one with an image, and one that needs the user's input
 * first (an `input_required` result on `prompts/get`, SEP-2322).
 */
export function registerConformancePrompts(server: McpServer): void {
  server.registerPrompt(
    'test_simple_prompt',
    { description: 'A prompt without arguments.' },
    () => ({
      messages: [userText('This is a simple prompt for testing.')],
    }),
  );

  server.registerPrompt(
    'test_prompt_with_arguments',
    {
      description: 'A prompt that quotes its two arguments.',
      argsSchema: z.object({
        arg1: completable(z.string().describe('First test argument'), (value) =>
          ARG1_SUGGESTIONS.filter((suggestion) => suggestion.startsWith(value ?? '')),
        ),
        arg2: z.string().describe('Second test argument'),
      }),
    },
    ({ arg1, arg2 }) => ({
      messages: [userText(`Prompt with arguments: arg1='${arg1}', arg2='${arg2}'`)],
    }),
  );

  server.registerPrompt(
    'test_prompt_with_embedded_resource',
    {
      description: 'A prompt that embeds the resource named by its argument.',
      argsSchema: z.object({ resourceUri: z.string().describe('URI of the resource to embed') }),
    },
    ({ resourceUri }) => ({
      messages: [
        {
          role: 'user',
          content: {
            type: 'resource',
            resource: {
              uri: resourceUri,
              mimeType: 'text/plain',
              text: 'Embedded resource content for testing.',
            },
          },
        },
        userText('Please process the embedded resource above.'),
      ],
    }),
  );

  server.registerPrompt(
    'test_prompt_with_image',
    { description: 'A prompt that carries an image.' },
    () => ({
      messages: [
        {
          role: 'user',
          content: { type: 'image', data: RED_PIXEL_PNG_BASE64, mimeType: 'image/png' },
        },
        userText('Please analyze the image above.'),
      ],
    }),
  );

  server.registerPrompt(
    'test_input_required_result_prompt',
    { description: 'A prompt that first asks the user which context to use.' },
    (ctx) => {
      const answer = acceptedContent(
        ctx.mcpReq.inputResponses,
        'user_context',
        z.object({ context: z.string() }),
      );
      if (answer) return { messages: [userText(`Use this context: ${answer.context}`)] };
      const request = inputRequired.elicit({
        message: 'What context should the prompt use?',
        requestedSchema: oneField('context', 'string'),
      });
      return inputRequired({ inputRequests: { user_context: request } });
    },
  );
}
