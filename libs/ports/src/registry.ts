import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import builtInRegistryData from '../registry.json' with { type: 'json' };
import { RegistryError } from './errors.js';
import type { ServiceEntry } from './schema.js';
import { validateRegistry } from './validate.js';

/** Where the registry lives, relative to the workspace root. */
export const REGISTRY_RELATIVE_PATH = 'libs/ports/registry.json';

/**
 * The `file` of the registry compiled into this module, used when no registry file is found:
 * a bundled app (`nx run api:build`) runs outside the workspace with the registry it was built
 * from inlined (the build's inputs include this lib, so a registry edit rebuilds it).
 */
export const BUILT_IN_REGISTRY = `(built in) ${REGISTRY_RELATIVE_PATH}`;

/** A loaded, validated registry. */
export interface Registry {
  /** Absolute path of the file it was read from, or `BUILT_IN_REGISTRY` for the one compiled in. */
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

function scriptDir(): string {
  return process.argv[1] ? dirname(resolve(process.argv[1])) : process.cwd();
}

/** `HYPERNODE_REGISTRY`, else the first registry file above the current directory, else above the running script. */
function findRegistry(env: NodeJS.ProcessEnv): string | undefined {
  if (env.HYPERNODE_REGISTRY) return resolve(env.HYPERNODE_REGISTRY);
  return findUp(process.cwd()) ?? findUp(scriptDir());
}

/**
 * The registry file to read: `HYPERNODE_REGISTRY` when set, else the first
 * `libs/ports/registry.json` found walking up from the current directory, else from the
 * running script. (No import.meta here: Nx loads this module as CommonJS in its plugin.)
 */
export function registryPath(env: NodeJS.ProcessEnv = process.env): string {
  const found = findRegistry(env);
  if (!found) {
    const script = scriptDir();
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

function builtInRegistry(): Registry {
  const { services, problems } = validateRegistry(builtInRegistryData);
  if (problems.length > 0) throw new RegistryError(BUILT_IN_REGISTRY, problems);
  return { file: BUILT_IN_REGISTRY, services };
}

/**
 * Reads and validates the registry once per file per process. Without `file`: the one
 * `registryPath()` names, or — when there is none (a bundled app outside the workspace) — the
 * registry compiled in (`BUILT_IN_REGISTRY`); `HYPERNODE_REGISTRY` still wins.
 */
export function loadRegistry(file: string | undefined = findRegistry(process.env)): Registry {
  if (file === undefined) {
    const builtIn = cache.get(BUILT_IN_REGISTRY) ?? builtInRegistry();
    cache.set(BUILT_IN_REGISTRY, builtIn);
    return builtIn;
  }
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
