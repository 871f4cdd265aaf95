const COLORS: Record<string, string> = {
  up: '#1a7f37', online: '#1a7f37', completed: '#1a7f37', open: '#1a7f37',
  down: '#cf222e', offline: '#cf222e', failed: '#cf222e', closed: '#cf222e',
  degraded: '#9a6700', reconnecting: '#9a6700', connecting: '#9a6700',
  queued: '#57606a', scheduled: '#0969da', running: '#0969da', cancelled: '#57606a',
};
const ICONS: Record<string, string> = { up: '●', online: '●', completed: '✓', open: '●', down: '✕', offline: '✕', failed: '✕', closed: '✕' };

/** A status shown as a word, an icon and a colour, so colour is never the only signal. */
export function StatusBadge({ status, label }: { status: string; label?: string }) {
  return (
    <span className="status-badge" data-status={status} style={{ color: COLORS[status] ?? '#57606a', fontWeight: 600 }}>
      <span aria-hidden="true">{ICONS[status] ?? '○'} </span>
      {label ?? status}
    </span>
  );
}

/** An accessible progress bar (role=progressbar with its value). */
export function ProgressBar({ value, label }: { value: number; label: string }) {
  const pct = Math.max(0, Math.min(100, Math.round(value)));
  return (
    <div role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} style={{ background: '#eaeef2', borderRadius: 4, height: 8, width: 120, display: 'inline-block' }}>
      <div style={{ background: '#0969da', width: `${pct}%`, height: '100%', borderRadius: 4 }} />
    </div>
  );
}
