import type { SessionRecord } from '../contract/session-record';
import type { RpcMessage } from './server-requests';

/**
 * The reserved key of `SessionRecord.data` under which the module keeps the
 * session state that the SDK holds in the server object: the log level of
 * `logging/setLevel` and the URIs of `resources/subscribe`. Applications
 * must not write it. Its value is {@link SdkSessionState}.
 */
export const SDK_STATE_KEY = 'mcp:sdk-state';

/** What the module keeps under {@link SDK_STATE_KEY}. */
export interface SdkSessionState {
  /** The level of the client's last accepted `logging/setLevel`. */
  logLevel?: string;
  /** The URIs the client subscribed to and did not unsubscribe from, in order. */
  subscriptions?: string[];
}

/** A client request that changes {@link SdkSessionState}. */
export interface StateChange {
  method: 'logging/setLevel' | 'resources/subscribe' | 'resources/unsubscribe';
  value: string;
}

/** The state stored with `record` (an empty one when there is none or it is malformed). */
export function storedState(record: SessionRecord | undefined): SdkSessionState {
  const raw = record?.data?.[SDK_STATE_KEY] as Record<string, unknown> | undefined;
  const state: SdkSessionState = {};
  if (raw === null || typeof raw !== 'object') return state;
  if (typeof raw.logLevel === 'string') state.logLevel = raw.logLevel;
  if (Array.isArray(raw.subscriptions)) {
    const uris = raw.subscriptions.filter((uri): uri is string => typeof uri === 'string');
    if (uris.length > 0) state.subscriptions = uris;
  }
  return state;
}

/** The state change `request` asks for, when it is one of the three methods. */
export function changeOf(request: RpcMessage): StateChange | undefined {
  const { method, params } = request;
  const value = method === 'logging/setLevel' ? params?.level : params?.uri;
  if (typeof value !== 'string') return undefined;
  if (
    method === 'logging/setLevel' ||
    method === 'resources/subscribe' ||
    method === 'resources/unsubscribe'
  ) {
    return { method, value };
  }
  return undefined;
}

/** `state` with `change` applied (a new object). */
export function applyChange(state: SdkSessionState, change: StateChange): SdkSessionState {
  const next: SdkSessionState = { ...state };
  if (change.method === 'logging/setLevel') next.logLevel = change.value;
  else {
    const uris = (state.subscriptions ?? []).filter((uri) => uri !== change.value);
    if (change.method === 'resources/subscribe') uris.push(change.value);
    if (uris.length > 0) next.subscriptions = uris;
    else delete next.subscriptions;
  }
  return next;
}

/**
 * The requests that bring a server whose state is `applied` to `wanted`
 * (a log level is never unset: MCP has no request for it).
 */
export function catchUp(applied: SdkSessionState, wanted: SdkSessionState): StateChange[] {
  const changes: StateChange[] = [];
  if (wanted.logLevel !== undefined && wanted.logLevel !== applied.logLevel) {
    changes.push({ method: 'logging/setLevel', value: wanted.logLevel });
  }
  const had = new Set(applied.subscriptions ?? []);
  const want = new Set(wanted.subscriptions ?? []);
  for (const uri of had)
    if (!want.has(uri)) changes.push({ method: 'resources/unsubscribe', value: uri });
  for (const uri of want)
    if (!had.has(uri)) changes.push({ method: 'resources/subscribe', value: uri });
  return changes;
}

/** The JSON-RPC params of `change`. */
export function paramsOf(change: StateChange): Record<string, unknown> {
  return change.method === 'logging/setLevel' ? { level: change.value } : { uri: change.value };
}
