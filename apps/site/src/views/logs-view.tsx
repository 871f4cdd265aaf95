import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type RefObject } from 'react';
import { defaultRangeExtractor, useVirtualizer, type Range } from '@tanstack/react-virtual';
import { LOG_LEVELS, type LogLevel, type LogLine } from '@hypernode/events';
import { AnsiText, CLIENT_LINE_CAP, FrameBatcher, formatClock, lineAsText, LogStream, mergeInto, parseSearch, serviceColour, type StreamState, type SupervisorClient, type ViewLine } from '@hypernode/ui/dashboard';
import { formatRoute, traceLink, type Route } from '../route.js';

/** Lines fetched when the filters change (the stream brings the rest). */
const INITIAL_PAGE = 1000;
/** Lines held while paused, beyond which the oldest held ones go. */
const HELD_CAP = CLIENT_LINE_CAP;
const ROW_HEIGHT = 22;
/**
 * A batch of 100 lines or more is a flood (at 60 frames/s, 6,000 lines/s): the rows on screen are
 * all replaced faster than anyone reads them, so the list updates at most 10 times a second then.
 */
const FLOOD_PACING = { floodItems: 100, floodGapMs: 100 };
const FOLLOW_OVERSCAN = 2;
// Marks sort after any line of the same millisecond (sequence numbers stay far below 2^52).
let markSeq = 2 ** 52;

interface LogRowProps {
  line: ViewLine;
  /** Where the virtualiser puts it (px from the top of the list). */
  start: number;
  /** The virtualiser's measuring ref, for a row whose fields were opened (others are ROW_HEIGHT). */
  measure?: (el: HTMLDivElement | null) => void;
  index: number;
  expanded: boolean;
  onToggle: (seq: number) => void;
  onTrace: (id: string) => void;
  onCopy: (line: LogLine) => void;
}

// Memoised and stateless: a frame that appends lines mounts only the rows new on screen, each as
// few elements as it can be (the row is its own positioned slot; the copy icon is CSS; the copy
// feedback lives once in the view, not in every row).
const LogRow = memo(function LogRow({ line, start, measure, index, expanded, onToggle, onTrace, onCopy }: LogRowProps) {
  const slot = { ref: measure, 'data-index': measure ? index : undefined, role: 'listitem', style: { transform: `translateY(${start}px)` } };
  if (line.kind === 'mark') {
    return (
      <div {...slot} className="log-slot log-row mark" data-mark="true">
        — {line.label} · {formatClock(line.time)} —
      </div>
    );
  }
  const hasFields = line.fields !== undefined && Object.keys(line.fields).length > 0;
  return (
    <div {...slot} className="log-slot" data-seq={line.seq} data-time={line.time} data-service={line.service} data-level={line.level}>
      <div className="log-row">
        <span className="time">{formatClock(line.time)}</span>
        <span className="svc" style={{ color: serviceColour(line.service) }}>
          {line.service}
        </span>
        <span className="lvl" data-level={line.level}>
          {line.level.toUpperCase()}
        </span>
        <span className="msg">
          <AnsiText text={line.message} />
        </span>
        <span className="row-tools">
          {line.traceId && (
            <button type="button" className="link-button" onClick={() => onTrace(line.traceId!)} aria-label={`${line.traceId.slice(0, 8)}: open this line's trace`} title={`Open trace ${line.traceId}`}>
              {line.traceId.slice(0, 8)}
            </button>
          )}
          {hasFields && (
            <button type="button" className="icon-button" aria-expanded={expanded} onClick={() => onToggle(line.seq)} aria-label={expanded ? 'Hide fields' : 'Show fields'}>
              {'{…}'}
            </button>
          )}
          <button type="button" className="icon-button copy-icon" onClick={() => onCopy(line)} aria-label="Copy line" title="Copy line" />
        </span>
      </div>
      {expanded && hasFields && <pre className="log-fields">{JSON.stringify(line.fields, null, 2)}</pre>}
    </div>
  );
});

export interface LogsViewProps {
  client: SupervisorClient;
  names: string[];
  route: Route;
  navigate: (hash: string) => void;
  paused: boolean;
  onPause: (paused: boolean) => void;
  searchRef: RefObject<HTMLInputElement | null>;
}

/**
 * The logs view: chosen services (none = all) combined and ordered by time, level filter,
 * server-side search, pause / clear / mark / download, live from `WS /logs/stream`. Built for
 * 10,000 lines/s: lines are merged into the buffer in place once per animation frame (append,
 * or merge with the few milliseconds' tail that a late service's lines belong in), which is the
 * one state update of the frame; the list is virtualised with fixed-height rows (only a row whose
 * fields were opened is measured), and while it follows the newest lines it renders the last rows
 * directly instead of the rows at the old scroll position.
 */
export function LogsView({ client, names, route, navigate, paused, onPause, searchRef }: LogsViewProps) {
  const filter = useMemo(() => ({ services: route.services, level: route.level, q: route.q }), [route.services, route.level, route.q]);
  const filterKey = JSON.stringify(filter);
  const lines = useRef<ViewLine[]>([]);
  const held = useRef<ViewLine[]>([]);
  const pausedRef = useRef(paused);
  const [, setVersion] = useState(0);
  const [heldCount, setHeldCount] = useState(0);
  const [stream, setStream] = useState<StreamState>('connecting');
  const [problem, setProblem] = useState<string>();
  const [expanded, setExpanded] = useState<Set<number>>(() => new Set());
  const [query, setQuery] = useState(route.q);
  const follow = useRef(true);
  const bump = useCallback(() => setVersion((v) => v + 1), []);

  const batcher = useMemo(
    () =>
      new FrameBatcher<LogLine>((batch) => {
        if (pausedRef.current) {
          mergeInto(held.current, batch, HELD_CAP);
          setHeldCount(held.current.length);
          return;
        }
        mergeInto(lines.current, batch);
        bump();
      }, undefined, CLIENT_LINE_CAP, FLOOD_PACING),
    [bump],
  );

  useEffect(() => {
    pausedRef.current = paused;
    if (!paused && held.current.length > 0) {
      mergeInto(lines.current, held.current);
      held.current = [];
      setHeldCount(0);
      bump();
    }
  }, [paused, bump]);

  useEffect(() => setQuery(route.q), [route.q]);

  // Filters changed: start over with a page from the server, then the live stream.
  useEffect(() => {
    const current = JSON.parse(filterKey) as typeof filter;
    lines.current = [];
    held.current = [];
    setHeldCount(0);
    setProblem(undefined);
    bump();
    const search = parseSearch(current.q);
    if (search.kind === 'invalid') {
      setProblem(search.error);
      return;
    }
    let live = true;
    const loadPage = () =>
      client.logs(current, INITIAL_PAGE).then(
        (page) => {
          if (!live) return;
          batcher.push(page.lines);
          if (page.dropped > 0) setProblem(`${page.dropped} older lines were dropped from the supervisor's buffer (20,000 lines per service)`);
        },
        (e: Error) => live && setProblem(e.message),
      );
    void loadPage();
    const ws = new LogStream(
      client.streamUrl(current),
      (frame) => {
        if (frame.type === 'lines') batcher.push(frame.lines);
        else if (frame.type === 'error') setProblem(frame.message);
      },
      (state, reconnected) => {
        setStream(state);
        if (reconnected) void loadPage(); // the gap: the merge drops what is already shown
      },
    ).start();
    return () => {
      live = false;
      ws.close();
    };
  }, [client, filterKey, batcher, bump]);

  const scrollRef = useRef<HTMLDivElement>(null);
  const count = lines.current.length;
  // Rows whose fields were opened at least once: only these are measured (a ResizeObserver also
  // sees them close again); every other row is ROW_HEIGHT, so mounting one forces no layout.
  const measured = useRef(new Set<number>());
  for (const seq of expanded) measured.current.add(seq);
  const getItemKey = useCallback((i: number) => {
    const line = lines.current[i]!;
    return line.kind === 'mark' ? `m${line.seq}` : line.seq;
  }, []);
  const estimateSize = useCallback(() => ROW_HEIGHT, []);
  // Following: the newest rows, whatever the scroll position of the previous frame says (the
  // layout effect below scrolls to them), so a frame renders its rows once, not twice.
  const rangeExtractor = useCallback((range: Range) => {
    if (!follow.current || range.count === 0) return defaultRangeExtractor(range);
    // No overscan below the newest line, and little above it: under a flood every row is new each update.
    const shown = range.endIndex - range.startIndex + 1 + FOLLOW_OVERSCAN;
    const first = Math.max(0, range.count - shown);
    return Array.from({ length: range.count - first }, (_, i) => first + i);
  }, []);
  const virtualizer = useVirtualizer({ count, getScrollElement: () => scrollRef.current, estimateSize, overscan: 8, getItemKey, rangeExtractor });
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (el && follow.current && count > 0) el.scrollTop = el.scrollHeight;
  }, [count]);
  const onScroll = () => {
    const el = scrollRef.current;
    if (el) follow.current = el.scrollHeight - el.scrollTop - el.clientHeight < ROW_HEIGHT * 2;
  };

  const setRoute = (patch: Partial<Route>) => navigate(formatRoute({ ...route, ...patch, view: 'logs' }));
  const toggleService = (name: string) => setRoute({ services: route.services.includes(name) ? route.services.filter((s) => s !== name) : [...route.services, name].sort() });
  const mark = () => {
    mergeInto(lines.current, [{ kind: 'mark', seq: markSeq++, time: Date.now(), label: 'mark' }]);
    follow.current = true;
    bump();
  };
  const clear = () => {
    lines.current = [];
    setExpanded(new Set());
    measured.current.clear();
    bump();
  };
  const searchProblem = parseSearch(query);
  const onToggle = useCallback(
    (seq: number) =>
      setExpanded((set) => {
        const next = new Set(set);
        if (!next.delete(seq)) next.add(seq);
        return next;
      }),
    [],
  );
  const onTrace = useCallback((id: string) => navigate(traceLink(id)), [navigate]);
  const [copied, setCopied] = useState('');
  const onCopy = useCallback((line: LogLine) => {
    void navigator.clipboard?.writeText(lineAsText(line)).then(
      () => setCopied(`Copied the ${line.service} line of ${formatClock(line.time)}`),
      () => setCopied('Copy refused by the browser'),
    );
  }, []);

  return (
    <section aria-labelledby="logs-heading">
      <div className="section-head">
        <h2 id="logs-heading">Logs</h2>
        <span className="muted" aria-live="polite">
          {route.services.length === 0 ? 'all services' : route.services.length === 1 ? route.services[0] : `${route.services.length} services combined`} · stream {stream}
        </span>
      </div>
      <div className="logs-toolbar">
        <fieldset>
          <legend>Services</legend>
          {names.map((name) => (
            <label key={name} className="service-chip">
              <input type="checkbox" checked={route.services.includes(name)} onChange={() => toggleService(name)} />
              <span className="swatch" aria-hidden="true" style={{ background: serviceColour(name) }} />
              {name}
            </label>
          ))}
        </fieldset>
      </div>
      <div className="logs-toolbar">
        <label>
          Level{' '}
          <select value={route.level ?? ''} onChange={(e) => setRoute({ level: (e.target.value || undefined) as LogLevel | undefined })}>
            <option value="">all</option>
            {LOG_LEVELS.map((l) => (
              <option key={l} value={l}>
                {l} and above
              </option>
            ))}
          </select>
        </label>
        <form
          role="search"
          className="logs-search"
          onSubmit={(e) => {
            e.preventDefault();
            if (searchProblem.kind !== 'invalid') setRoute({ q: query.trim() });
          }}
        >
          <label>
            <span className="visually-hidden">Search logs (text or /regex/)</span>
            <input ref={searchRef} type="search" placeholder="Search: text or /regex/  ( / )" value={query} onChange={(e) => setQuery(e.target.value)} aria-invalid={searchProblem.kind === 'invalid'} aria-describedby="search-help" />
          </label>{' '}
          <button type="submit" className="button">
            Search
          </button>
        </form>
        <button type="button" className="button" aria-pressed={paused} onClick={() => onPause(!paused)}>
          {paused ? `Resume${heldCount ? ` (${heldCount} new)` : ''}` : 'Pause'}
        </button>
        <button type="button" className="button" onClick={clear}>
          Clear
        </button>
        <button type="button" className="button" onClick={mark}>
          Mark
        </button>
        <a className="button" href={client.downloadUrl(filter)} download>
          Download
        </a>
      </div>
      <p id="search-help" className={searchProblem.kind === 'invalid' ? 'error' : 'visually-hidden'}>
        {searchProblem.kind === 'invalid' ? searchProblem.error : 'Searched on the server: plain text, or a regular expression between slashes such as /timeout \\d+/i.'}
      </p>
      {problem && (
        <p className="notice warn" role="status">
          {problem}
        </p>
      )}
      <div className="logs-status">
        <span data-testid="line-count">{count.toLocaleString()} lines</span>
        {paused && <span>paused: new lines are held</span>}
        <span role="status">{copied}</span>
      </div>
      <div ref={scrollRef} className="log-list" onScroll={onScroll} role="list" aria-label="Log lines" tabIndex={0}>
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative', width: '100%' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const line = lines.current[item.index]!;
            return (
              <LogRow
                key={item.key}
                line={line}
                start={item.start}
                index={item.index}
                measure={line.kind === undefined && measured.current.has(line.seq) ? virtualizer.measureElement : undefined}
                expanded={line.kind === undefined && expanded.has(line.seq)}
                onToggle={onToggle}
                onTrace={onTrace}
                onCopy={onCopy}
              />
            );
          })}
        </div>
      </div>
      {count === 0 && <p className="muted">No lines{route.q ? ` matching ${route.q}` : ''} yet.</p>}
    </section>
  );
}
