import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { RegistryError } from './errors.js';
import type { ServiceEntry } from './schema.js';
import { validateRegistry } from './validate.js';

/** Where the registry lives, relative to the workspace root. */
export const REGISTRY_RELATIVE_PATH = 'libs/ports/registry.json';

/** A loaded, validated registry. */
export interface Registry {
  /** Absolute path of the file it was read from. */
  file: string;
  /** Every service, in file order. */
  services: readonly ServiceEntry[];
}

function findUp(start: string): string | undefined {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    const candidate = join(dir, REGISTRY_RELATIVE_PATH);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * The registry file to read: `HYPERNODE_REGISTRY` when set, else the first
 * `libs/ports/registry.json` found walking up from the current directory, else from the
 * running script. (No import.meta here: Nx loads this module as CommonJS in its plugin.)
 */
export function registryPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HYPERNODE_REGISTRY) return resolve(env.HYPERNODE_REGISTRY);
  const script = process.argv[1] ? dirname(resolve(process.argv[1])) : process.cwd();
  const found = findUp(process.cwd()) ?? findUp(script);
  if (!found) {
    throw new RegistryError(REGISTRY_RELATIVE_PATH, [
      { path: '(file)', message: `not found above ${process.cwd()} or ${script}: run from inside the workspace or set HYPERNODE_REGISTRY=/path/to/registry.json` },
    ]);
  }
  return found;
}

/** The workspace root: the folder holding libs/ports/registry.json. */
export function workspaceRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HYPERNODE_ROOT) return resolve(env.HYPERNODE_ROOT);
  return resolve(dirname(registryPath({ ...env, HYPERNODE_REGISTRY: undefined })), '..', '..');
}

/** Parses and validates registry text; throws a RegistryError listing every problem. */
export function parseRegistry(text: string, file: string): Registry {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new RegistryError(file, [{ path: '(file)', message: `not valid JSON (${(error as Error).message}): fix the syntax` }]);
  }
  const { services, problems } = validateRegistry(data);
  if (problems.length > 0) throw new RegistryError(file, problems);
  return { file, services };
}

const cache = new Map<string, Registry>();

/** Reads and validates the registry once per file per process. */
export function loadRegistry(file: string = registryPath()): Registry {
  const cached = cache.get(file);
  if (cached) return cached;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new RegistryError(file, [{ path: '(file)', message: `cannot be read (${(error as NodeJS.ErrnoException).code}): check the path or set HYPERNODE_REGISTRY` }]);
  }
  const registry = parseRegistry(text, file);
  cache.set(file, registry);
  return registry;
}
