import { useCallback, useEffect, useId, useRef, useState, type ReactNode } from 'react';
import type { SupervisedService } from '@hypernode/events';
import { ansiSegments } from './ansi.js';
import { SHORTCUTS, ShortcutMatcher, isTyping, type Shortcut } from './shortcuts.js';
import { effectiveTheme, nextTheme, readTheme, writeTheme, type ThemeChoice } from './theme.js';

const STATE_ICONS: Record<string, string> = { starting: '◌', ready: '●', unhealthy: '▲', crashed: '✕', stopped: '■', unknown: '○' };

/** A supervised service's state: word + icon + colour token (colour is never the only signal). */
export function StateBadge({ service }: { service: Pick<SupervisedService, 'state' | 'dependency' | 'exitCode' | 'exitSignal' | 'restarts' | 'detail'> | undefined }) {
  if (!service) {
    return (
      <span className="badge state-badge" data-state="unknown" title="no supervisor: state unknown">
        <span aria-hidden="true">{STATE_ICONS.unknown} </span>—
      </span>
    );
  }
  let label: string = service.state;
  if (service.state === 'unhealthy' && service.dependency) label = `unhealthy: waits on ${service.dependency}`;
  if (service.state === 'crashed') label = `crashed (exit ${service.exitCode ?? service.exitSignal ?? '?'})`;
  return (
    <span className="badge state-badge" data-state={service.state} title={service.detail || undefined}>
      <span aria-hidden="true">{STATE_ICONS[service.state] ?? '○'} </span>
      {label}
      {service.restarts > 0 && <span className="restarts"> · {service.restarts} restart{service.restarts === 1 ? '' : 's'}</span>}
    </span>
  );
}

/** Copies `text`; says "Copied" for a moment (announced to screen readers). */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [done, setDone] = useState(false);
  const copy = () => {
    void navigator.clipboard?.writeText(text).then(
      () => {
        setDone(true);
        setTimeout(() => setDone(false), 1200);
      },
      () => undefined,
    );
  };
  return (
    <button type="button" className="icon-button" onClick={copy} aria-label={label} title={label}>
      {done ? (
        <span aria-hidden="true">✓</span>
      ) : (
        <svg aria-hidden="true" viewBox="0 0 16 16" fill="currentColor">
          <path d="M0 6.75C0 5.78.78 5 1.75 5h1.5a.75.75 0 0 1 0 1.5h-1.5a.25.25 0 0 0-.25.25v7.5c0 .14.11.25.25.25h7.5a.25.25 0 0 0 .25-.25v-1.5a.75.75 0 0 1 1.5 0v1.5A1.75 1.75 0 0 1 9.25 16h-7.5A1.75 1.75 0 0 1 0 14.25Z" />
          <path d="M5 1.75C5 .78 5.78 0 6.75 0h7.5C15.22 0 16 .78 16 1.75v7.5A1.75 1.75 0 0 1 14.25 11h-7.5A1.75 1.75 0 0 1 5 9.25Zm1.75-.25a.25.25 0 0 0-.25.25v7.5c0 .14.11.25.25.25h7.5a.25.25 0 0 0 .25-.25v-7.5a.25.25 0 0 0-.25-.25Z" />
        </svg>
      )}
      <span className="visually-hidden" aria-live="polite">
        {done ? 'Copied' : ''}
      </span>
    </button>
  );
}

/** A modal dialog on the native <dialog> (focus trap, Escape and backdrop close for free). */
export function Dialog({ open, onClose, title, children }: { open: boolean; onClose: () => void; title: string; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog ref={ref} className="dialog" aria-labelledby={titleId} onClose={onClose} onClick={(e) => e.target === ref.current && onClose()}>
      <div className="dialog-body">
        <h2 id={titleId}>{title}</h2>
        {children}
      </div>
    </dialog>
  );
}

/** The `?` dialog: every shortcut. */
export function ShortcutHelp({ open, onClose }: { open: boolean; onClose: () => void }) {
  return (
    <Dialog open={open} onClose={onClose} title="Keyboard shortcuts">
      <dl className="shortcut-list">
        {SHORTCUTS.map((s) => (
          <div key={s.id}>
            <dt>
              {s.keys.map((k, i) => (
                <span key={i}>
                  {i > 0 && ' then '}
                  <kbd>{k}</kbd>
                </span>
              ))}
            </dt>
            <dd>{s.description}</dd>
          </div>
        ))}
      </dl>
      <form method="dialog">
        <button type="submit" className="button" autoFocus>
          Close
        </button>
      </form>
    </Dialog>
  );
}

/** React hook: runs `onShortcut` for shortcut key sequences typed outside form fields. */
export function useShortcuts(onShortcut: (shortcut: Shortcut) => void): void {
  const handler = useRef(onShortcut);
  handler.current = onShortcut;
  useEffect(() => {
    const matcher = new ShortcutMatcher();
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target)) return;
      if (document.querySelector('dialog[open]') && e.key !== '?') return;
      const found = matcher.press(e.key);
      if (found) {
        e.preventDefault();
        handler.current(found);
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
}

/** React hook: the theme choice, persisted in localStorage and applied as `data-theme` on <html>. */
export function useTheme(): { choice: ThemeChoice; theme: 'light' | 'dark'; setChoice: (c: ThemeChoice) => void; cycle: () => void } {
  const [choice, setChoiceState] = useState<ThemeChoice>(() => readTheme(globalThis.localStorage));
  const query = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : undefined;
  const [prefersDark, setPrefersDark] = useState(query?.matches ?? false);
  useEffect(() => {
    if (!query) return;
    const onChange = (e: MediaQueryListEvent) => setPrefersDark(e.matches);
    query.addEventListener('change', onChange);
    return () => query.removeEventListener('change', onChange);
  }, [query]);
  const theme = effectiveTheme(choice, prefersDark);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    document.documentElement.style.colorScheme = theme;
  }, [theme]);
  const setChoice = useCallback((c: ThemeChoice) => {
    writeTheme(globalThis.localStorage, c);
    setChoiceState(c);
  }, []);
  const cycle = useCallback(() => setChoiceState((c) => {
    const next = nextTheme(c);
    writeTheme(globalThis.localStorage, next);
    return next;
  }), []);
  return { choice, theme, setChoice, cycle };
}

/** The theme switch: one button that cycles system → light → dark, naming the current choice. */
export function ThemeToggle({ choice, onCycle }: { choice: ThemeChoice; onCycle: () => void }) {
  const icon = choice === 'dark' ? '☾' : choice === 'light' ? '☀' : '◐';
  return (
    <button type="button" className="button button-ghost" onClick={onCycle} aria-label={`Theme: ${choice} (switch)`} title="Switch theme (t)">
      <span aria-hidden="true">{icon}</span> <span className="hide-narrow">{choice}</span>
    </button>
  );
}

/** A line's text with its ANSI colours, as React text nodes (never HTML). */
export function AnsiText({ text }: { text: string }) {
  const segments = ansiSegments(text);
  if (segments.length === 1 && !segments[0]!.fg && !segments[0]!.bold && !segments[0]!.bg) return <>{segments[0]!.text}</>;
  return (
    <>
      {segments.map((s, i) => {
        const classes = [s.fg && `ansi-fg-${s.fg}`, s.bg && `ansi-bg-${s.bg}`, s.bold && 'ansi-bold', s.italic && 'ansi-italic', s.underline && 'ansi-underline', s.dim && 'ansi-dim'].filter(Boolean).join(' ');
        return (
          <span key={i} className={classes || undefined} style={s.fgRgb ? { color: `rgb(${s.fgRgb})` } : undefined}>
            {s.text}
          </span>
        );
      })}
    </>
  );
}
