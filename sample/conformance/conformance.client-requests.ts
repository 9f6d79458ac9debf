import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ElicitRequestFormParams, ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { ToolExtra } from './conformance.logging';

type FormSchema = ElicitRequestFormParams['requestedSchema'];

/**
 * How long a tool waits for the client's answer. Longer than the SDK's 60 s
 * default on purpose: a person answering a form may be slow, and the client's
 * own request timeout (or its `notifications/cancelled`, which aborts the wait
 * through `extra.signal`) then ends the call first, never a server-side
 * timeout that would turn an unanswered question into a tool result.
 */
const ANSWER_TIMEOUT_MS = 5 * 60_000;

/**
 * Registers the tools that ask the client something in the middle of a call
 * (`sampling/createMessage`, `elicitation/create`). Each request is sent with
 * `relatedRequestId`, so it travels in the response stream of the `tools/call`
 * and the client's answer comes back as a separate HTTP POST: the one message
 * of these scenarios that must reach the instance waiting for it.
 */
export function registerClientRequestTools(server: McpServer): void {
  const elicit = (message: string, requestedSchema: FormSchema, extra: ToolExtra) =>
    server.server.elicitInput(
      { message, requestedSchema },
      { relatedRequestId: extra.requestId, signal: extra.signal, timeout: ANSWER_TIMEOUT_MS },
    );
  const describe = (result: ElicitResult) =>
    `action=${result.action}, content=${JSON.stringify(result.content ?? {})}`;

  server.registerTool(
    'test_sampling',
    {
      description:
        'Asks the client to sample the LLM with the given prompt and returns its answer.',
      inputSchema: { prompt: z.string().describe('The prompt to send to the LLM') },
    },
    async ({ prompt }, extra) => {
      const answer = await server.server.createMessage(
        { messages: [{ role: 'user', content: { type: 'text', text: prompt } }], maxTokens: 100 },
        { relatedRequestId: extra.requestId, signal: extra.signal, timeout: ANSWER_TIMEOUT_MS },
      );
      const text =
        answer.content.type === 'text' ? answer.content.text : `[${answer.content.type}]`;
      return { content: [{ type: 'text', text: `LLM response: ${text}` }] };
    },
  );

  server.registerTool(
    'test_elicitation',
    {
      description: 'Asks the user (through the client) for a username and an email address.',
      inputSchema: { message: z.string().describe('The message to show the user') },
    },
    async ({ message }, extra) => {
      const result = await elicit(
        message,
        {
          type: 'object',
          properties: {
            username: { type: 'string', description: "User's response" },
            email: { type: 'string', description: "User's email address" },
          },
          required: ['username', 'email'],
        },
        extra,
      );
      return { content: [{ type: 'text', text: `User response: ${describe(result)}` }] };
    },
  );

  server.registerTool(
    'test_elicitation_sep1034_defaults',
    {
      description: 'Elicits a form whose fields of every primitive type carry defaults (SEP-1034).',
    },
    async (extra) => {
      const result = await elicit(
        'Please review these details (defaults filled in)',
        {
          type: 'object',
          properties: {
            name: { type: 'string', title: 'Name', default: 'John Doe' },
            age: { type: 'integer', title: 'Age', default: 30 },
            score: { type: 'number', title: 'Score', default: 95.5 },
            status: {
              type: 'string',
              title: 'Status',
              enum: ['active', 'inactive', 'pending'],
              default: 'active',
            },
            verified: { type: 'boolean', title: 'Verified', default: true },
          },
        },
        extra,
      );
      return { content: [{ type: 'text', text: `Elicitation completed: ${describe(result)}` }] };
    },
  );

  server.registerTool(
    'test_elicitation_sep1330_enums',
    { description: 'Elicits a form with each of the five enum shapes of SEP-1330.' },
    async (extra) => {
      const result = await elicit(
        'Please pick from these lists',
        {
          type: 'object',
          properties: {
            untitledSingle: { type: 'string', enum: ['option1', 'option2', 'option3'] },
            titledSingle: {
              type: 'string',
              oneOf: [
                { const: 'value1', title: 'First Option' },
                { const: 'value2', title: 'Second Option' },
                { const: 'value3', title: 'Third Option' },
              ],
            },
            legacyEnum: {
              type: 'string',
              enum: ['opt1', 'opt2', 'opt3'],
              enumNames: ['Option One', 'Option Two', 'Option Three'],
            },
            untitledMulti: {
              type: 'array',
              items: { type: 'string', enum: ['option1', 'option2', 'option3'] },
            },
            titledMulti: {
              type: 'array',
              items: {
                anyOf: [
                  { const: 'value1', title: 'First Choice' },
                  { const: 'value2', title: 'Second Choice' },
                  { const: 'value3', title: 'Third Choice' },
                ],
              },
            },
          },
        },
        extra,
      );
      return { content: [{ type: 'text', text: `Elicitation completed: ${describe(result)}` }] };
    },
  );
}
