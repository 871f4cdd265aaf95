/** How many service colours the tokens define (--hn-service-0 … --hn-service-7, per theme). */
export const SERVICE_COLOURS = 8;

/**
 * A stable colour slot per service name: the same service keeps its colour across views and
 * reloads (a hash, not the order services happen to appear in).
 */
export function serviceColourIndex(name: string): number {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return (h >>> 0) % SERVICE_COLOURS;
}

/** The CSS colour (a token) for a service. */
export function serviceColour(name: string): string {
  return `var(--hn-service-${serviceColourIndex(name)})`;
}
