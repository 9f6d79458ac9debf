import { ServerRequests } from '../../lib/sdk/server-requests';

describe('ServerRequests (wire ids of server-to-client requests)', () => {
  const here = new ServerRequests('aaaa1111bbbb2222');

  it('renames a request (and a progress token equal to its id) and routes the answer back under the old id', () => {
    const requests = new ServerRequests('aaaa1111bbbb2222');
    const tagged = requests.tag({
      jsonrpc: '2.0',
      id: 0,
      method: 'sampling/createMessage',
      params: { maxTokens: 1, _meta: { progressToken: 0 } },
    });
    expect(tagged.id).toMatch(/^aaaa1111bbbb2222:\d+$/);
    expect((tagged.params!._meta as { progressToken: unknown }).progressToken).toBe(tagged.id);
    expect(requests.pending).toBe(1);

    const progress = {
      jsonrpc: '2.0',
      method: 'notifications/progress',
      params: { progressToken: tagged.id, progress: 1 },
    };
    expect(requests.route(progress)).toEqual({
      to: 'here',
      message: { ...progress, params: { progressToken: 0, progress: 1 } },
    });
    expect(requests.route({ jsonrpc: '2.0', id: tagged.id, result: {} })).toEqual({
      to: 'here',
      message: { jsonrpc: '2.0', id: 0, result: {} },
    });
    expect(requests.pending).toBe(0);
    expect(requests.route({ jsonrpc: '2.0', id: tagged.id, result: {} })).toEqual({
      to: 'nobody',
      id: tagged.id,
    });
  });

  it('gives every request of the process its own wire id, whatever the server id', () => {
    const other = new ServerRequests('aaaa1111bbbb2222');
    const ids = [here.tag({ id: 0, method: 'ping' }).id, other.tag({ id: 0, method: 'ping' }).id];
    expect(new Set(ids).size).toBe(2);
  });

  it('routes answers for another instance there, and leaves ids it never issued alone', () => {
    expect(here.route({ jsonrpc: '2.0', id: 'cccc3333dddd4444:7', result: {} })).toEqual({
      to: 'instance',
      instance: 'cccc3333dddd4444',
    });
    expect(here.route({ jsonrpc: '2.0', id: 3, result: {} })).toBeUndefined();
    expect(here.route({ jsonrpc: '2.0', id: 'plain', result: {} })).toBeUndefined();
    expect(here.route({ jsonrpc: '2.0', id: 4, method: 'tools/call' })).toBeUndefined();
  });

  it('renames the cancellation of a pending request, which then waits no more', () => {
    const requests = new ServerRequests('aaaa1111bbbb2222');
    const tagged = requests.tag({ id: 5, method: 'elicitation/create' });
    const cancelled = requests.cancellation({
      jsonrpc: '2.0',
      method: 'notifications/cancelled',
      params: { requestId: 5, reason: 'timed out' },
    });
    expect(cancelled).toEqual({
      wire: tagged.id,
      message: {
        jsonrpc: '2.0',
        method: 'notifications/cancelled',
        params: { requestId: tagged.id, reason: 'timed out' },
      },
    });
    expect(requests.pending).toBe(0);
    expect(
      requests.cancellation({ method: 'notifications/cancelled', params: { requestId: 9 } }),
    ).toBeUndefined();
    expect(requests.cancellation({ method: 'notifications/message' })).toBeUndefined();
  });
});
