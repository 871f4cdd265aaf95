/** Longest reason copied from a worker's report or response into a public field. */
export const MAX_REASON_LENGTH = 500;

// C0 and C1 controls, DEL, and line/paragraph separators.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

/**
 * A short, single-line reason fit for a public field (a deployment's `error`): control
 * characters become spaces, runs of space collapse, and the result is at most `max` characters
 * (cut ones end with …). A worker's whole response body must never be copied further than this.
 */
export function shortReason(text: string, max = MAX_REASON_LENGTH): string {
  const clean = text.replace(CONTROL, ' ').replace(/\s{2,}/g, ' ').trim();
  const chars = Array.from(clean); // cut between code points, never inside a surrogate pair
  return chars.length <= max ? clean : `${chars.slice(0, max - 1).join('')}…`;
}
