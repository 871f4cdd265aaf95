import { useEffect, useRef, useState } from 'react';
import type { HypernodeEvent } from '@hypernode/events';
import { EventStream, type StreamStatus } from './event-stream.js';

/** React hook: an EventStream for the component's lifetime; returns the connection status. */
export function useEventStream(url: string | undefined, topics: string[], onEvent: (event: HypernodeEvent) => void, onReset?: () => void): StreamStatus {
  const [status, setStatus] = useState<StreamStatus>('connecting');
  const handlers = useRef({ onEvent, onReset });
  handlers.current = { onEvent, onReset };
  const key = topics.join(',');
  useEffect(() => {
    if (!url) return;
    const stream = new EventStream({ url, topics: key.split(','), onEvent: (e) => handlers.current.onEvent(e), onReset: () => handlers.current.onReset?.(), onStatus: setStatus }).start();
    return () => stream.close();
  }, [url, key]);
  return status;
}
