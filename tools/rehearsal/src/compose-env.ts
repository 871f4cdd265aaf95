import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parse } from 'yaml';

/** What compose would hand one service: its `environment`, as `docker-compose config` resolves it. */
export type ComposeEnv = Record<string, Record<string, string>>;

/**
 * Runs the real `docker-compose config` (no engine needed) on the workspace's generated
 * docker-compose.yml with `secrets` in its environment, and returns each service's resolved
 * environment — the same input the compose contract test checks.
 */
export function composeEnvironment(root: string, secrets: Record<string, string>): ComposeEnv {
  let text: string;
  try {
    text = execFileSync('docker-compose', ['-f', join(root, 'docker-compose.yml'), 'config'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, ...secrets },
      timeout: 30_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    const e = error as Error & { stderr?: string; code?: string };
    if (e.code === 'ENOENT') throw new Error('docker-compose is not installed: run `bash tools/scripts/install-test-deps.sh` (Debian package docker-compose)');
    throw new Error(`docker-compose config failed: ${e.stderr?.trim() || e.message}`);
  }
  const doc = parse(text) as { services: Record<string, { environment?: Record<string, unknown> | string[] }> };
  const out: ComposeEnv = {};
  for (const [name, service] of Object.entries(doc.services)) {
    const env = service.environment ?? {};
    out[name] = Array.isArray(env)
      ? Object.fromEntries(env.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]))
      : Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null || v === undefined ? '' : String(v)]));
  }
  return out;
}
