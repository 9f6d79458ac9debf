import type {
  ElicitRequestFormParams,
  ElicitResult,
  McpServer,
  RequestOptions,
  ServerContext,
} from '@modelcontextprotocol/server';
import { z } from 'zod';
import { textResult } from './conformance.tools';

type FormSchema = ElicitRequestFormParams['requestedSchema'];

/**
 * How long a tool waits for the client's answer. Longer than the SDK's 60 s
 * default on purpose: a person answering a form may be slow, and the client's
 * own request timeout (or its `notifications/cancelled`, which aborts the wait
 * through `ctx.mcpReq.signal`) then ends the call first, never a server-side
 * timeout that would turn an unanswered question into a tool result.
 */
const ANSWER_TIMEOUT_MS = 5 * 60_000;

/**
 * Options of a server-to-client request made while serving `ctx`: sent with
 * `relatedRequestId`, so it travels in the response stream of the
 * `tools/call` (never the standalone GET stream), and aborted with it.
 */
const related = (ctx: ServerContext): RequestOptions => ({
  relatedRequestId: ctx.mcpReq.id,
  signal: ctx.mcpReq.signal,
  timeout: ANSWER_TIMEOUT_MS,
});

const describe = (result: ElicitResult) =>
  `action=${result.action}, content=${JSON.stringify(result.content ?? {})}`;

const SEP1034_DEFAULTS: FormSchema = {
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
};

const SEP1330_ENUMS: FormSchema = {
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
};

/**
 * Registers the 2025-era tools that ask the client something in the middle
 * of a call (`sampling/createMessage`, `elicitation/create`) with the SDK's
 * push API (`ctx.mcpReq.requestSampling`, `ctx.mcpReq.elicitInput`, which
 * throw on MCP 2026-07-28: legacy era only). The client's answer comes back
 * as a separate HTTP POST: the one message of these scenarios that must
 * reach the instance waiting for it.
 */
export function registerClientRequestTools(server: McpServer): void {
  const elicit = (message: string, requestedSchema: FormSchema, ctx: ServerContext) =>
    ctx.mcpReq.elicitInput({ mode: 'form', message, requestedSchema }, related(ctx));

  server.registerTool(
    'test_sampling',
    {
      description:
        'Asks the client to sample the LLM with the given prompt and returns its answer.',
      inputSchema: z.object({ prompt: z.string().describe('The prompt to send to the LLM') }),
    },
    async ({ prompt }, ctx) => {
      const answer = await ctx.mcpReq.requestSampling(
        { messages: [{ role: 'user', content: { type: 'text', text: prompt } }], maxTokens: 100 },
        related(ctx),
      );
      const blocks = Array.isArray(answer.content) ? answer.content : [answer.content];
      const text = blocks.map((block) => (block.type === 'text' ? block.text : `[${block.type}]`));
      return textResult(`LLM response: ${text.join(' ')}`);
    },
  );

  server.registerTool(
    'test_elicitation',
    {
      description: 'Asks the user (through the client) for a username and an email address.',
      inputSchema: z.object({ message: z.string().describe('The message to show the user') }),
    },
    async ({ message }, ctx) => {
      const schema: FormSchema = {
        type: 'object',
        properties: {
          username: { type: 'string', description: "User's response" },
          email: { type: 'string', description: "User's email address" },
        },
        required: ['username', 'email'],
      };
      return textResult(`User response: ${describe(await elicit(message, schema, ctx))}`);
    },
  );

  server.registerTool(
    'test_elicitation_sep1034_defaults',
    {
      description: 'Elicits a form whose fields of every primitive type carry defaults (SEP-1034).',
    },
    async (ctx) => {
      const result = await elicit(
        'Please review these details (defaults filled in)',
        SEP1034_DEFAULTS,
        ctx,
      );
      return textResult(`Elicitation completed: ${describe(result)}`);
    },
  );

  server.registerTool(
    'test_elicitation_sep1330_enums',
    { description: 'Elicits a form with each of the five enum shapes of SEP-1330.' },
    async (ctx) => {
      const result = await elicit('Please pick from these lists', SEP1330_ENUMS, ctx);
      return textResult(`Elicitation completed: ${describe(result)}`);
    },
  );
}
