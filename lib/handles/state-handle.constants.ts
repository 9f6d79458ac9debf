/** Every state handle starts with this; session ids never do (the gate refuses them). */
export const STATE_HANDLE_PREFIX = 'mcph_';

/** The `protocolVersion` of the records that hold handle state: never a protocol revision. */
export const STATE_HANDLE_MARK = 'mcp-state-handle';

/** True when `id` has the shape of a state handle (it is never served as a session). */
export function isStateHandle(id: string): boolean {
  return id.startsWith(STATE_HANDLE_PREFIX);
}
