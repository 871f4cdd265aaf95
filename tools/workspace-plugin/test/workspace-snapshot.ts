import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { linkNodeModules, ROOT } from './workspace-copy';

const GIT_IDENTITY = ['-c', 'user.name=test', '-c', 'user.email=test@example.invalid'];

/** Runs git in `dir` with a throw-away identity. */
export function git(dir: string, ...args: string[]): string {
  return execFileSync('git', [...GIT_IDENTITY, ...args], { cwd: dir, encoding: 'utf8' });
}

/**
 * Copies the working tree as it is now — committed, modified and new files, not what
 * .gitignore excludes — into `dir`, links its node_modules and commits it all as one commit
 * on `main`. Unlike a clone of HEAD, the copy holds the changes under test before they are
 * committed, and Nx finds the history `affected` needs.
 */
export function snapshotWorkspace(dir: string): void {
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' })
    .split('\0')
    .filter((file) => file && existsSync(join(ROOT, file)));
  for (const file of files) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    cpSync(join(ROOT, file), join(dir, file));
  }
  linkNodeModules(dir);
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'snapshot of the working tree');
}
