import { existsSync, readFileSync } from 'node:fs';
import { devFile, writeSecretFile } from '../credentials/dev-files.js';
import type { StackAuth } from './bootstrap-auth.js';

/** Where `hypernode infra` leaves this run's one-time sign-in URLs for `npm start` to print once every app is up (0600). */
export const SIGN_IN_FILE = 'sign-in.json';

interface SignInRecord {
  stack: string | null;
  urls: StackAuth['signInUrls'];
}

export function writeSignInUrls(root: string, stack: string | null, urls: StackAuth['signInUrls']): void {
  writeSecretFile(devFile(root, SIGN_IN_FILE), JSON.stringify({ stack, urls } satisfies SignInRecord));
}

/** The sign-in URLs the infra task of stack `stack` made, if it made them. */
export function readSignInUrls(root: string, stack: string): StackAuth['signInUrls'] | undefined {
  const path = devFile(root, SIGN_IN_FILE);
  if (!existsSync(path)) return undefined;
  try {
    const record = JSON.parse(readFileSync(path, 'utf8')) as SignInRecord;
    return record.stack === stack ? record.urls : undefined;
  } catch {
    return undefined;
  }
}
