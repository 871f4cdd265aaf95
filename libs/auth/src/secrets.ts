import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

/** The prefixes of every Hypernode secret: API key, session, sign-in token, join token, node credential, dispatch secret. */
export const SECRET_PREFIXES = ['hn_', 'hns_', 'hnt_', 'hnj_', 'hnn_', 'hnd_'] as const;
/** A secret's prefix, which says what kind of secret it is. */
export type SecretPrefix = (typeof SECRET_PREFIXES)[number];

/** 32 random bytes are 43 base64url characters (no padding). */
const BODY = /^[A-Za-z0-9_-]{43}$/;

/** A new secret: `prefix` + base64url of 32 random bytes. Show it once; store only its digest. */
export function newSecret(prefix: SecretPrefix): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

/**
 * sha256 of a secret: what is stored and looked up, never the secret itself. Node's one-shot
 * `crypto.hash` (no Hash object per call): the api takes the digest of the key of every request.
 */
export function digest(secret: string): Buffer {
  return hash('sha256', secret, 'buffer');
}

/** The digest as hex (the key cache's key), in one call. */
export function digestHex(secret: string): string {
  return hash('sha256', secret, 'hex');
}

/** Constant-time comparison of two digests; false (not a throw) when their lengths differ. */
export function sameDigest(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Whether `value` has the exact shape of a secret of this kind (prefix + 43 base64url
 * characters). Checked before any lookup, so an absurd or non-ASCII token costs no query.
 */
export function isSecretOf(prefix: SecretPrefix, value: unknown): value is string {
  return typeof value === 'string' && value.length === prefix.length + 43 && value.startsWith(prefix) && BODY.test(value.slice(prefix.length));
}
