import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkNodeModules, ROOT } from './workspace-copy';

const APPS = ['api', 'automation', 'gpu-worker', 'llm-deployer', 'realtime', 'site'];
let clone: string;

const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.invalid', ...args], { cwd: clone, encoding: 'utf8' });

/** Commits a one-line change to `file` in the clone and returns the projects Nx calls affected by it. */
function affectedBy(file: string): string[] {
  appendFileSync(join(clone, file), '\n// touched by affected.spec.ts\n');
  git('commit', '-qam', `touch ${file}`);
  const out = execFileSync(join(clone, 'node_modules/.bin/nx'), ['show', 'projects', '--affected', '--base=HEAD~1', '--head=HEAD', '--json'], {
    cwd: clone,
    encoding: 'utf8',
    env: { ...process.env, NX_DAEMON: 'false', NX_TUI: 'false' },
  });
  return (JSON.parse(out) as string[]).sort();
}

beforeAll(() => {
  clone = mkdtempSync(join(tmpdir(), 'hypernode-affected-'));
  execFileSync('git', ['clone', '-q', '--no-hardlinks', ROOT, clone]);
  linkNodeModules(clone);
});
afterAll(() => rmSync(clone, { recursive: true, force: true }));

describe('nx affected in a temporary git clone', () => {
  it('a change to libs/ports marks every app that imports it (directly or through service-kit) affected', () => {
    const affected = affectedBy('libs/ports/src/kinds.ts');
    for (const app of APPS) expect(affected, app).toContain(app);
    expect(affected).toContain('ports');
  }, 120_000);

  it('a change inside apps/site marks only site and the e2e project that drives it', () => {
    expect(affectedBy('apps/site/src/app.tsx')).toEqual(['pipeline-e2e', 'site']);
  }, 120_000);
});
