import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BenchHarnessError, WORKSPACE } from './processes.js';

/**
 * A copy of the workspace to run whole-workspace commands in (Nx, `npm start`), never the live
 * one, whose cache, outputs and `.hypernode/` stay untouched: the committed files (`git archive
 * HEAD`), a copy of node_modules (its workspace links are relative, so they point into the copy)
 * and the CLI's bundle. `remove()` deletes it.
 */
export function copyWorkspace(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'hn-bench-ws-'));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  const archive = spawnSync('sh', ['-c', `git -C "${WORKSPACE}" archive HEAD | tar -x -C "${dir}"`], { encoding: 'utf8', timeout: 120_000 });
  if (archive.status !== 0) {
    remove();
    throw new BenchHarnessError(`copying the workspace (git archive HEAD) into ${dir} failed: ${archive.stderr || archive.error?.message}`);
  }
  cpSync(join(WORKSPACE, 'node_modules'), join(dir, 'node_modules'), { recursive: true, verbatimSymlinks: true });
  // Copied now, so newer than the archived sources: the CLI runs its bundle, not tsx.
  const cliBundle = join(WORKSPACE, 'tools', 'cli', 'dist');
  if (existsSync(cliBundle)) cpSync(cliBundle, join(dir, 'tools', 'cli', 'dist'), { recursive: true });
  return { dir, remove };
}
