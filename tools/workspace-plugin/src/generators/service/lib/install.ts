import { execFileSync } from 'node:child_process';

/** Runs `npm install` so package-lock.json lists the new workspace and `npm ci` keeps working. */
export function npmInstall(root: string): void {
  execFileSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
}
