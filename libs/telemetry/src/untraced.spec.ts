import { PROBE_HEADER } from '@hypernode/events';
import { describe, expect, it } from 'vitest';
import { isProbePath, untracedIncoming } from './untraced.js';

const req = (url: string, headers: Record<string, string> = {}) => ({ url, headers });

describe('which incoming requests stay untraced', () => {
  it("leaves out probes, by path or by the supervisor's probe header", () => {
    expect(isProbePath('/health?x=1')).toBe(true);
    expect(untracedIncoming(req('/ready'))).toBe(true);
    expect(untracedIncoming(req('/', { [PROBE_HEADER]: 'supervisor' }))).toBe(true);
  });

  it("leaves out the dev servers' modules and internals, and static files", () => {
    for (const url of ['/@vite/client', '/@react-refresh', '/@fs/work/main/x.ts', '/node_modules/.vite/deps/react.js?v=1a2b', '/src/main.tsx', '/src/styles.css?direct', '/_next/static/chunks/app.js', '/_next/webpack-hmr?id=1', '/__nextjs_original-stack-frame', '/favicon.ico', '/config.js']) {
      expect(untracedIncoming(req(url)), url).toBe(true);
    }
  });

  it('traces API calls and pages', () => {
    for (const url of ['/', '/deployments', '/deployments?limit=20', '/deployments/6f1c/cancel', '/nodes/n1/heartbeat', '/app/deployments/42']) {
      expect(untracedIncoming(req(url)), url).toBe(false);
    }
  });
});
