import { fromJsonSchema, type JsonSchemaType, type McpServer } from '@modelcontextprotocol/server';
import { textResult } from './conformance.tools';

/** The input schema of `json-schema-2020-12` (SEP-1613, SEP-2106), verbatim. */
const JSON_SCHEMA_2020_12 = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  $defs: {
    address: {
      $anchor: 'addressDef',
      type: 'object',
      properties: { street: { type: 'string' }, city: { type: 'string' } },
    },
  },
  properties: {
    name: { type: 'string' },
    address: { $ref: '#/$defs/address' },
    contactMethod: { type: 'string', enum: ['phone', 'email'] },
    phone: { type: 'string' },
    email: { type: 'string' },
  },
  allOf: [{ anyOf: [{ required: ['phone'] }, { required: ['email'] }] }],
  if: { properties: { contactMethod: { const: 'phone' } }, required: ['contactMethod'] },
  then: { required: ['phone'] },
  else: { required: ['email'] },
  additionalProperties: false,
} as unknown as JsonSchemaType;

/** A parameter mirrored into the `Mcp-Param-Region` header (SEP-2243 `x-mcp-header`). */
const REGION_PARAMETER = {
  type: 'object',
  properties: {
    region: { type: 'string', description: 'Where to run', 'x-mcp-header': 'Region' },
  },
  required: ['region'],
} as unknown as JsonSchemaType;

/**
 * Registers the tools of the wire-format scenarios: a tool whose input
 * schema uses JSON Schema 2020-12 keywords that `tools/list` must carry
 * untouched (`json-schema-2020-12`), and one whose parameter a 2026-07-28
 * client must also send as an `Mcp-Param-Region` header, which the SDK
 * checks against the body before the tool runs
 * (`http-custom-header-server-validation`).
 */
export function registerWireFormatTools(server: McpServer): void {
  server.registerTool(
    'json_schema_2020_12_tool',
    {
      description: 'Tool with JSON Schema 2020-12 features',
      inputSchema: fromJsonSchema<Record<string, unknown>>(JSON_SCHEMA_2020_12),
    },
    (args) => textResult(`Received: ${JSON.stringify(args)}`),
  );

  server.registerTool(
    'test_custom_header',
    {
      description: 'Echoes its region, which 2026-07-28 clients also send as Mcp-Param-Region.',
      inputSchema: fromJsonSchema<{ region: string }>(REGION_PARAMETER),
    },
    ({ region }) => textResult(`Region: ${region}`),
  );
}
