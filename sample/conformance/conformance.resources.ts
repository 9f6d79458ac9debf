import { type McpServer, ResourceTemplate } from '@modelcontextprotocol/server';
import { RED_PIXEL_PNG_BASE64 } from './conformance.media';

/** Fixed contents: clients may keep a read for an hour (MCP 2026-07-28 cache hint). */
const FIXED = { ttlMs: 3_600_000, cacheScope: 'public' } as const;

/**
 * Registers the direct resources (a text, a binary and a watchable one) and
 * the `test://template/{id}/data` template; an unknown URI gets the SDK's
 * -32602 "Resource not found" with the URI in `data` (SEP-2164). The fixed
 * resources carry a cache hint for 2026-07-28 reads.
 *
 * In the 2025 era it also answers `resources/subscribe` and
 * `resources/unsubscribe` (subscriptions are kept in this server object, one
 * per session; the suite checks the request and response only). MCP
 * 2026-07-28 removed both methods (the SDK answers 404): a client subscribes
 * to `resources/updated` through its `subscriptions/listen` filter instead,
 * which the declared `resources.subscribe` capability lets it do.
 */
export function registerConformanceResources(server: McpServer, era: 'legacy' | 'modern'): void {
  server.registerResource(
    'static-text',
    'test://static-text',
    { description: 'A fixed text resource.', mimeType: 'text/plain', cacheHint: FIXED },
    (uri) => ({
      contents: [
        {
          uri: uri.href,
          mimeType: 'text/plain',
          text: 'This is the content of the static text resource.',
        },
      ],
    }),
  );

  server.registerResource(
    'static-binary',
    'test://static-binary',
    {
      description: 'A fixed binary resource (a 1x1 PNG).',
      mimeType: 'image/png',
      cacheHint: FIXED,
    },
    (uri) => ({ contents: [{ uri: uri.href, mimeType: 'image/png', blob: RED_PIXEL_PNG_BASE64 }] }),
  );

  server.registerResource(
    'watched-resource',
    'test://watched-resource',
    { description: 'A resource clients may subscribe to.', mimeType: 'text/plain' },
    (uri) => ({
      contents: [{ uri: uri.href, mimeType: 'text/plain', text: 'Watched resource content.' }],
    }),
  );

  server.registerResource(
    'template-data',
    new ResourceTemplate('test://template/{id}/data', { list: undefined }),
    {
      description: 'JSON data for any id, read through a URI template.',
      mimeType: 'application/json',
    },
    (uri, { id }) => {
      const value = Array.isArray(id) ? id.join(',') : id;
      return {
        contents: [
          {
            uri: uri.href,
            mimeType: 'application/json',
            text: JSON.stringify({ id: value, templateTest: true, data: `Data for ID: ${value}` }),
          },
        ],
      };
    },
  );

  if (era === 'modern') return;
  const subscribed = new Set<string>();
  server.server.setRequestHandler('resources/subscribe', (request) => {
    subscribed.add(request.params.uri);
    return {};
  });
  server.server.setRequestHandler('resources/unsubscribe', (request) => {
    subscribed.delete(request.params.uri);
    return {};
  });
}
