import { existsSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Finds an executable on PATH or in the given extra folders (first match wins). */
export function findBinary(name: string, extraDirs: readonly string[] = []): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), ...extraDirs].filter(Boolean);
  for (const dir of dirs) {
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** PostgreSQL server folders of Debian/Ubuntu and Homebrew installs, newest version first. */
export function postgresBinDirs(): string[] {
  const dirs: string[] = [];
  for (const base of ['/usr/lib/postgresql', '/opt/homebrew/opt', '/usr/local/opt']) {
    if (!existsSync(base)) continue;
    const versions = readdirSync(base).filter((v) => /^(\d+|postgresql@\d+)$/.test(v));
    versions.sort((a, b) => Number(b.replace(/\D/g, '')) - Number(a.replace(/\D/g, '')));
    dirs.push(...versions.map((v) => join(base, v, 'bin')));
  }
  return dirs;
}
