import { inputRequired, type McpServer } from '@modelcontextprotocol/server';
import type { McpChangeNotifier } from '../../lib';
import { askModel, NAME_FORM, sampledText } from './conformance.input-required';
import { textResult } from './conformance.tools';

/**
 * Registers the diagnostic tools of the MCP 2026-07-28 `server-stateless`
 * scenario (SEP-2575):
 *
 * - `test_missing_capability` needs sampling: asked by a client that did not
 *   declare it, the SDK refuses the call with -32021 (HTTP 400) naming the
 *   missing capability;
 * - `test_streaming_elicitation` needs the user: it answers with an
 *   `input_required` result, never a server-to-client request on the stream;
 * - `test_trigger_tool_change` / `test_trigger_prompt_change` publish a list
 *   change through `notify`, the module's event bus, which reaches the
 *   `subscriptions/listen` streams of every instance (the server of this
 *   request has no stream of its own to send it on).
 */
export function registerStatelessTools(server: McpServer, notify: McpChangeNotifier): void {
  server.registerTool(
    'test_missing_capability',
    { description: 'Needs sampling: refused (-32021) when the client did not declare it.' },
    (ctx) => {
      const answer = sampledText(ctx, 'model_answer');
      if (answer !== undefined) return textResult(`LLM response: ${answer}`);
      return inputRequired({ inputRequests: { model_answer: askModel('Say hello.', 20) } });
    },
  );

  server.registerTool(
    'test_streaming_elicitation',
    { description: 'Needs the user: answers with an input_required result, never a request.' },
    (ctx) => {
      if (ctx.mcpReq.inputResponses?.user_name) return textResult('Thanks for answering.');
      const request = inputRequired.elicit({
        message: 'What is your name?',
        requestedSchema: NAME_FORM,
      });
      return inputRequired({ inputRequests: { user_name: request } });
    },
  );

  server.registerTool(
    'test_trigger_tool_change',
    { description: 'Announces a change of the tool list to every listen stream.' },
    () => {
      notify.toolsChanged();
      return textResult('Published notifications/tools/list_changed.');
    },
  );

  server.registerTool(
    'test_trigger_prompt_change',
    { description: 'Announces a change of the prompt list to every listen stream.' },
    () => {
      notify.promptsChanged();
      return textResult('Published notifications/prompts/list_changed.');
    },
  );
}
