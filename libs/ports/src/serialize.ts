import type { ServiceEntry } from './schema.js';

/** The registry file's comment line, kept on every rewrite. */
export const REGISTRY_COMMENT =
  'The one port registry of the Hypernode workspace. Edit through `nx g @hypernode/workspace-plugin:service` or by hand; `npx hypernode ports` shows the result.';

/** JSON on one line with spaces inside braces and after commas: `{ "a": 1, "b": { "c": [1, 2] } }`. */
function inline(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(inline).join(', ')}]`;
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  return `{ ${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${inline(v)}`).join(', ')} }`;
}

/** Registry JSON as the repo keeps it: one service per line, so a diff shows one line per change. */
export function serializeRegistry(services: readonly ServiceEntry[]): string {
  const lines = services.map(({ name, port, kind, purpose, health, required, route, scale }) => `    ${inline({ name, port, kind, purpose, health, required, ...(route === undefined ? {} : { route }), ...(scale === undefined ? {} : { scale }) })}`);
  return `{\n  "$comment": ${JSON.stringify(REGISTRY_COMMENT)},\n  "services": [\n${lines.join(',\n')}\n  ]\n}\n`;
}
