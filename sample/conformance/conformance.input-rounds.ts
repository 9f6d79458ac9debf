import {
  acceptedContent,
  inputRequired,
  type InputRequests,
  type McpServer,
  type ServerContext,
} from '@modelcontextprotocol/server';
import { z } from 'zod';
import type { McpRequestStateCodec } from '../../lib';
import {
  askModel,
  Name,
  NAME_FORM,
  oneField,
  rootUris,
  sampledText,
} from './conformance.input-required';
import { textResult } from './conformance.tools';

/** What the multi-round tools seal into `requestState` (signed, readable by the client). */
interface RoundState {
  tool: string;
  round?: number;
  name?: string;
}

const Color = z.object({ color: z.string() });
const Confirmation = z.object({ ok: z.boolean() });

/** The verified state of this round, if it belongs to `tool`. */
function stateOf(ctx: ServerContext, tool: string): RoundState | undefined {
  const state = ctx.mcpReq.requestState<RoundState>();
  return state?.tool === tool ? state : undefined;
}

/**
 * Registers the `input_required` tools that carry state between rounds
 * (SEP-2322): `requestState` is sealed with `codec` (HMAC with the key every
 * instance shares, bound to the method and the caller) and verified by the
 * SDK before the handler runs, so each round may land on any instance and a
 * tampered or foreign state is refused with -32602.
 */
export function registerInputRoundTools(server: McpServer, codec: McpRequestStateCodec): void {
  const seal = (state: RoundState, ctx: ServerContext) => codec.mint(state, ctx);

  server.registerTool(
    'test_input_required_result_request_state',
    { description: 'Asks for a confirmation and checks its own requestState on the retry.' },
    async (ctx) => {
      const confirmed = acceptedContent(ctx.mcpReq.inputResponses, 'confirm', Confirmation);
      if (stateOf(ctx, 'request_state') && confirmed) {
        return textResult(`state-ok: requestState verified, ok=${confirmed.ok}`);
      }
      const confirm = inputRequired.elicit({
        message: 'Please confirm',
        requestedSchema: oneField('ok', 'boolean'),
      });
      const requestState = await seal({ tool: 'request_state' }, ctx);
      return inputRequired({ inputRequests: { confirm }, requestState });
    },
  );

  server.registerTool(
    'test_input_required_result_multiple_inputs',
    { description: 'Asks for a name, a sampled greeting and the roots in one round.' },
    async (ctx) => {
      const name = acceptedContent(ctx.mcpReq.inputResponses, 'user_name', Name);
      const greeting = sampledText(ctx, 'greeting');
      const roots = rootUris(ctx, 'client_roots');
      if (stateOf(ctx, 'multiple_inputs') && name && greeting !== undefined && roots) {
        return textResult(`${greeting} ${name.name}! Roots: ${roots.join(', ') || '(none)'}`);
      }
      const missing: InputRequests = {};
      if (!name) {
        missing.user_name = inputRequired.elicit({
          message: 'What is your name?',
          requestedSchema: NAME_FORM,
        });
      }
      if (greeting === undefined) missing.greeting = askModel('Generate a greeting', 50);
      if (!roots) missing.client_roots = inputRequired.listRoots();
      const requestState = await seal({ tool: 'multiple_inputs' }, ctx);
      return inputRequired({ inputRequests: missing, requestState });
    },
  );

  server.registerTool(
    'test_input_required_result_multi_round',
    { description: 'Asks for a name, then (second round) a favourite colour.' },
    async (ctx) => {
      const state = stateOf(ctx, 'multi_round');
      if (state?.round === 2) {
        const color = acceptedContent(ctx.mcpReq.inputResponses, 'step2', Color);
        if (color) return textResult(`${state.name} likes ${color.color} (state-ok)`);
      }
      const name =
        state?.round === 1 ? acceptedContent(ctx.mcpReq.inputResponses, 'step1', Name) : undefined;
      if (name || state?.round === 2) {
        const step2 = inputRequired.elicit({
          message: 'Step 2: What is your favorite color?',
          requestedSchema: oneField('color', 'string'),
        });
        const next = { tool: 'multi_round', round: 2, name: name?.name ?? state?.name };
        return inputRequired({ inputRequests: { step2 }, requestState: await seal(next, ctx) });
      }
      const step1 = inputRequired.elicit({
        message: 'Step 1: What is your name?',
        requestedSchema: NAME_FORM,
      });
      const first = await seal({ tool: 'multi_round', round: 1 }, ctx);
      return inputRequired({ inputRequests: { step1 }, requestState: first });
    },
  );
}
