import {
  acceptedContent,
  CLIENT_CAPABILITIES_META_KEY,
  type ClientCapabilities,
  type ElicitRequestFormParams,
  inputRequired,
  type InputRequests,
  inputResponse,
  type McpServer,
  type ServerContext,
} from '@modelcontextprotocol/server';
import { z } from 'zod';
import type { McpRequestStateCodec } from '../../lib';
import { textResult } from './conformance.tools';

type FormSchema = ElicitRequestFormParams['requestedSchema'];

/** The one-field form `{ <field>: <type> }`, required, as the scenarios spell it. */
export function oneField(field: string, type: 'string' | 'boolean'): FormSchema {
  const property = type === 'string' ? { type: 'string' as const } : { type: 'boolean' as const };
  return { type: 'object', properties: { [field]: property }, required: [field] };
}

/** The name form (`{ name: string }`) and its check of the client's answer. */
export const NAME_FORM = oneField('name', 'string');
/** Validates an accepted name form. */
export const Name = z.object({ name: z.string() });

/** `sampling/createMessage` of one user text message. */
export function askModel(text: string, maxTokens: number) {
  return inputRequired.createMessage({
    messages: [{ role: 'user', content: { type: 'text', text } }],
    maxTokens,
  });
}

/** The text of a sampling answer under `key`, if the retry carries one. */
export function sampledText(ctx: ServerContext, key: string): string | undefined {
  const view = inputResponse(ctx.mcpReq.inputResponses, key);
  if (view.kind !== 'sampling') return undefined;
  const blocks = Array.isArray(view.result.content) ? view.result.content : [view.result.content];
  return blocks.map((block) => (block.type === 'text' ? block.text : `[${block.type}]`)).join(' ');
}

/** The root URIs of a `roots/list` answer under `key`, if the retry carries one. */
export function rootUris(ctx: ServerContext, key: string): string[] | undefined {
  const view = inputResponse(ctx.mcpReq.inputResponses, key);
  return view.kind === 'roots' ? view.roots.map((root) => root.uri) : undefined;
}

/**
 * The client's capabilities: the per-request `_meta` ones on MCP 2026-07-28,
 * those of the session's `initialize` in the 2025 era.
 */
function clientCapabilities(server: McpServer, ctx: ServerContext): ClientCapabilities {
  // The SDK types the envelope as `{}`: its keys are read by name.
  const envelope = ctx.mcpReq.envelope as Record<string, unknown> | undefined;
  const declared = envelope?.[CLIENT_CAPABILITIES_META_KEY] as ClientCapabilities | undefined;
  return declared ?? server.server.getClientCapabilities() ?? {};
}

/**
 * Registers the single-question `input_required` tools (SEP-2322): the client
 * fulfils the embedded request and retries the call with `inputResponses`
 * (on a 2025-era session the SDK's legacy shim does it server-side). A retry
 * that lacks a usable answer (missing, wrong key, declined, wrong shape) is
 * asked again, never failed. Sealed `requestState` comes from `codec`, the
 * module's shared key, so that a retry served by another instance verifies.
 */
export function registerInputRequiredTools(server: McpServer, codec: McpRequestStateCodec): void {
  server.registerTool(
    'test_input_required_result_elicitation',
    { description: 'Asks the user for a name, then greets them.' },
    (ctx) => {
      const answer = acceptedContent(ctx.mcpReq.inputResponses, 'user_name', Name);
      if (answer) return textResult(`Hello, ${answer.name}!`);
      const request = inputRequired.elicit({
        message: 'What is your name?',
        requestedSchema: NAME_FORM,
      });
      return inputRequired({ inputRequests: { user_name: request } });
    },
  );

  server.registerTool(
    'test_input_required_result_sampling',
    { description: 'Asks the client to sample an LLM, then returns its answer.' },
    (ctx) => {
      const answer = sampledText(ctx, 'capital_question');
      if (answer !== undefined) return textResult(`LLM response: ${answer}`);
      const request = askModel('What is the capital of France?', 100);
      return inputRequired({ inputRequests: { capital_question: request } });
    },
  );

  server.registerTool(
    'test_input_required_result_list_roots',
    { description: 'Asks the client for its roots, then lists them.' },
    (ctx) => {
      const roots = rootUris(ctx, 'client_roots');
      if (roots !== undefined) return textResult(`Client roots: ${roots.join(', ') || '(none)'}`);
      return inputRequired({ inputRequests: { client_roots: inputRequired.listRoots() } });
    },
  );

  server.registerTool(
    'test_input_required_result_tampered_state',
    {
      description: 'Asks for a confirmation with signed requestState; a tampered echo is refused.',
    },
    async (ctx) => {
      const state = ctx.mcpReq.requestState<{ tool: string }>();
      const confirmed = acceptedContent(
        ctx.mcpReq.inputResponses,
        'confirm',
        z.object({ ok: z.boolean() }),
      );
      if (state?.tool === 'tampered_state' && confirmed)
        return textResult(`state-ok, ok=${confirmed.ok}`);
      const request = inputRequired.elicit({
        message: 'Please confirm',
        requestedSchema: oneField('ok', 'boolean'),
      });
      const requestState = await codec.mint({ tool: 'tampered_state' }, ctx);
      return inputRequired({ inputRequests: { confirm: request }, requestState });
    },
  );

  server.registerTool(
    'test_input_required_result_capabilities',
    { description: 'Asks only for what the client declared it can answer.' },
    (ctx) => {
      const answered = Object.keys(ctx.mcpReq.inputResponses ?? {});
      if (answered.length > 0) return textResult(`Answered: ${answered.sort().join(', ')}`);
      const caps = clientCapabilities(server, ctx);
      const requests: InputRequests = {};
      if (caps.sampling) requests.model_answer = askModel('Say hello.', 20);
      if (caps.elicitation) {
        requests.user_name = inputRequired.elicit({
          message: 'What is your name?',
          requestedSchema: NAME_FORM,
        });
      }
      if (caps.roots) requests.client_roots = inputRequired.listRoots();
      if (Object.keys(requests).length === 0)
        return textResult('The client declared nothing to ask.');
      return inputRequired({ inputRequests: requests });
    },
  );
}
