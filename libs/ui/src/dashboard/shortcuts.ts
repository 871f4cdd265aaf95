/** A keyboard shortcut: the keys pressed in sequence (`g` then `l`), and what it does. */
export interface Shortcut {
  keys: string[];
  description: string;
  id: string;
}

/** Every shortcut of the dashboard, as the `?` dialog lists them. */
export const SHORTCUTS: readonly Shortcut[] = [
  { id: 'go-services', keys: ['g', 's'], description: 'Go to services' },
  { id: 'go-logs', keys: ['g', 'l'], description: 'Go to logs' },
  { id: 'go-traces', keys: ['g', 't'], description: 'Go to traces' },
  { id: 'go-deployments', keys: ['g', 'd'], description: 'Go to deployments' },
  { id: 'search', keys: ['/'], description: 'Search logs' },
  { id: 'pause', keys: ['p'], description: 'Pause or resume logs' },
  { id: 'theme', keys: ['t'], description: 'Switch theme (system, light, dark)' },
  { id: 'help', keys: ['?'], description: 'Show this help' },
];

/** How long the second key of a sequence may wait. */
export const SEQUENCE_MS = 1500;

/**
 * Feeds key presses through the shortcut table: returns the shortcut a key completes, or
 * undefined (a prefix such as `g` waits for the next key; anything else starts over).
 */
export class ShortcutMatcher {
  private pending: string[] = [];
  private at = 0;
  constructor(private readonly shortcuts: readonly Shortcut[] = SHORTCUTS) {}

  press(key: string, now = Date.now()): Shortcut | undefined {
    if (now - this.at > SEQUENCE_MS) this.pending = [];
    this.at = now;
    const keys = [...this.pending, key];
    const done = this.shortcuts.find((s) => s.keys.length === keys.length && s.keys.every((k, i) => k === keys[i]));
    if (done) {
      this.pending = [];
      return done;
    }
    const prefix = this.shortcuts.some((s) => s.keys.length > keys.length && keys.every((k, i) => s.keys[i] === k));
    this.pending = prefix ? keys : [];
    if (!prefix && this.pending.length === 0 && keys.length > 1) return this.press(key, now);
    return undefined;
  }
}

/** True when a key press belongs to a form field (typing, not a shortcut). */
export function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || !el.tagName) return false;
  return el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName);
}
