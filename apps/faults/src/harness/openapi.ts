import { authHeaders } from './credentials.js';
import { FaultsHarnessError } from './wait.js';

/** The part of a JSON Schema the generators read. */
export interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number | boolean;
  exclusiveMaximum?: number | boolean;
  minLength?: number;
  maxLength?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
}

/** One route of the api as its OpenAPI document describes it. */
export interface ApiOperation {
  method: string;
  /** Fastify style, `/deployments/:id`. */
  path: string;
  /** Names of the `:params` in `path`, in order. */
  pathParams: string[];
  query: Array<{ name: string; schema: JsonSchema }>;
  /** The JSON body's schema, when the route takes one. */
  body?: JsonSchema;
}

interface OpenApiDoc {
  paths?: Record<string, Record<string, { parameters?: Array<{ in: string; name: string; schema?: JsonSchema }>; requestBody?: { content?: Record<string, { schema?: JsonSchema }> } }>>;
}

/**
 * Routes every service answers but the OpenAPI document leaves out (operational routes are
 * hidden from it); added so the hostile input reaches them too.
 */
export const UNDOCUMENTED_OPERATIONS: ApiOperation[] = ['/health', '/ready', '/services', '/docs/json'].map((path) => ({ method: 'GET', path, pathParams: [], query: [] }));

const METHODS = new Set(['get', 'post', 'put', 'patch', 'delete']);

/**
 * Reads `GET <apiUrl>/docs/json` (bounded) and lists every operation in it, plus the
 * undocumented operational routes: a route added to the api is covered without editing the suite.
 */
export async function apiOperations(apiUrl: string): Promise<ApiOperation[]> {
  const res = await fetch(`${apiUrl}/docs/json`, { headers: authHeaders(), signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new FaultsHarnessError(`GET ${apiUrl}/docs/json answered ${res.status}: the api must publish its OpenAPI document there`);
  const doc = (await res.json()) as OpenApiDoc;
  const ops: ApiOperation[] = [];
  for (const [openPath, byMethod] of Object.entries(doc.paths ?? {})) {
    const pathParams = [...openPath.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
    const path = openPath.replace(/\{([^}]+)\}/g, ':$1');
    for (const [method, op] of Object.entries(byMethod)) {
      if (!METHODS.has(method)) continue;
      const query = (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema ?? {} }));
      ops.push({ method: method.toUpperCase(), path, pathParams, query, body: op.requestBody?.content?.['application/json']?.schema });
    }
  }
  if (ops.length === 0) throw new FaultsHarnessError(`the OpenAPI document at ${apiUrl}/docs/json lists no operation`);
  const known = new Set(ops.map((o) => `${o.method} ${o.path}`));
  return [...ops, ...UNDOCUMENTED_OPERATIONS.filter((o) => !known.has(`${o.method} ${o.path}`))];
}
