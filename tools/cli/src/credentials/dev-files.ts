import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The git-ignored folder `npm start` keeps development credentials in. */
export const DEV_DIR = '.hypernode';
/** The development admin key (`hn_…`), mode 0600. */
export const ADMIN_KEY_FILE = 'admin-key';
/** The join token (`hnj_…`) `npm start` hands to the GPU workers, mode 0600. */
export const JOIN_TOKEN_FILE = 'join-token';

/** Path of a file in the workspace's `.hypernode/`. */
export function devFile(root: string, name: string): string {
  return join(root, DEV_DIR, name);
}

/** Reads a secret file (trimmed), or undefined when it is missing or empty; tightens a looser mode to 0600. */
export function readSecretFile(path: string): string | undefined {
  if (!existsSync(path)) return undefined;
  if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
  const value = readFileSync(path, 'utf8').trim();
  return value === '' ? undefined : value;
}

/** Writes a secret file with mode 0600 (its folder 0700), replacing what was there. */
export function writeSecretFile(path: string, value: string): void {
  mkdirSync(join(path, '..'), { recursive: true, mode: 0o700 });
  writeFileSync(path, `${value}\n`, { mode: 0o600 });
  chmodSync(path, 0o600); // writeFileSync keeps the mode of a file that existed already
}
