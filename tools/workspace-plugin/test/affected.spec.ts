import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git, snapshotWorkspace } from './workspace-snapshot';

const APPS = ['api', 'automation', 'gpu-worker', 'llm-deployer', 'realtime', 'site'];
let copy: string;

const nx = (...args: string[]) =>
  execFileSync(join(copy, 'node_modules/.bin/nx'), args, {
    cwd: copy,
    encoding: 'utf8',
    env: { ...process.env, NX_DAEMON: 'false', NX_TUI: 'false', NX_SKIP_NX_CACHE: 'true' },
    maxBuffer: 64 * 1024 * 1024,
  });

/** Commits a one-line change to `file` in the copy; Nx compares HEAD with HEAD~1 from then on. */
function touch(file: string): void {
  appendFileSync(join(copy, file), '\n// touched by affected.spec.ts\n');
  git(copy, 'commit', '-qam', `touch ${file}`);
}

/** The projects Nx calls affected by the last commit. */
function affectedProjects(): string[] {
  return (JSON.parse(nx('show', 'projects', '--affected', '--base=HEAD~1', '--head=HEAD', '--json')) as string[]).sort();
}

/** Every project that depends on `lib`, directly or through other projects, read from the copy's project graph. */
function dependentsOf(lib: string): Set<string> {
  const file = join(copy, 'tmp', 'graph.json');
  nx('graph', `--file=${file}`);
  const { dependencies } = (JSON.parse(readFileSync(file, 'utf8')) as { graph: { dependencies: Record<string, Array<{ target: string }>> } }).graph;
  const found = new Set<string>();
  const visit = (name: string) => {
    for (const [project, deps] of Object.entries(dependencies)) {
      if (!found.has(project) && deps.some((d) => d.target === name)) {
        found.add(project);
        visit(project);
      }
    }
  };
  visit(lib);
  return found;
}

beforeAll(() => {
  copy = mkdtempSync(join(tmpdir(), 'hypernode-affected-'));
  snapshotWorkspace(copy);
});
afterAll(() => rmSync(copy, { recursive: true, force: true }));

describe('nx affected in a committed copy of the working tree', () => {
  it('a change to libs/ports marks every app that imports it (directly or through service-kit) affected', () => {
    touch('libs/ports/src/kinds.ts');
    const affected = affectedProjects();
    for (const app of APPS) expect(affected, app).toContain(app);
    expect(affected).toContain('ports');
  }, 120_000);

  it('a change inside apps/site marks only site and the projects that drive it (e2e, rehearsal), no backend', () => {
    touch('apps/site/src/app.tsx');
    const affected = affectedProjects();
    expect(affected).toEqual(['site', ...dependentsOf('site')].sort());
    expect(affected).toContain('pipeline-e2e');
    for (const backend of ['api', 'realtime', 'automation', 'gpu-worker', 'llm-deployer']) expect(affected, backend).not.toContain(backend);
  }, 120_000);

  it('`nx affected -t build` after a libs/store change builds exactly the projects with a build that depend on store: api and automation, not site', () => {
    touch('libs/store/src/migrate.ts');
    const withBuild = new Set(JSON.parse(nx('show', 'projects', '--with-target', 'build', '--json')) as string[]);
    const expected = [...dependentsOf('store')].filter((p) => withBuild.has(p)).sort();
    expect(expected).toEqual(expect.arrayContaining(['api', 'automation']));

    // Under CI=true Nx colours its output even into a pipe: match on the text without the escapes.
    const out = stripVTControlCharacters(nx('affected', '-t', 'build', '--base=HEAD~1', '--head=HEAD', '--output-style=static'));
    const built = [...new Set([...out.matchAll(/nx run ([\w-]+):build/g)].map((m) => m[1]!))].sort();
    expect(built).toEqual(expected);
    for (const untouched of ['site', 'llm-deployer', 'realtime', 'gpu-worker']) expect(built, untouched).not.toContain(untouched);
    expect(existsSync(join(copy, 'dist/apps/api/main.js'))).toBe(true);
    expect(existsSync(join(copy, 'dist/apps/automation/main.js'))).toBe(true);
    expect(existsSync(join(copy, 'dist/apps/realtime'))).toBe(false);
  }, 300_000);
});
