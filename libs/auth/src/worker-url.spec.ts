import { describe, expect, it } from 'vitest';
import { describeWorkerHostRule, workerUrlAllowed } from './worker-url.js';

const dev = { profile: 'development', allowed: ['gpu.example', '10.0.0.0/8'] };
const devBare = { profile: 'development', allowed: [] };
const prod = { profile: 'production', allowed: ['gpu-1.internal', '10.20.0.0/16', '192.168.1.7', 'fd00::/8'] };

describe('workerUrlAllowed', () => {
  it.each([
    ['http://127.0.0.1:8080/', true],
    ['http://127.9.9.9/', true],
    ['http://localhost:8080/', true],
    ['http://LOCALHOST/', true],
    ['http://[::1]:8080/', true],
    ['https://127.0.0.1/', true],
    ['http://2130706433/', true], // the WHATWG parser makes this 127.0.0.1, as fetch would
    ['http://169.254.169.254/', false],
    ['http://example.com/', false],
    ['http://gpu.example/', true], // development: loopback plus the allowed list (compose's service names)
    ['http://10.1.2.3/', true],
    ['http://gpu.other/', false],
    ['http://10.1.2.3.nip.io/', false],
    ['http://0.0.0.0/', false],
    ['http://[::]/', false],
    ['http://localhost.evil.example/', false],
    ['http://127.0.0.1.nip.io/', false],
    ['ftp://127.0.0.1/', false],
    ['file:///etc/passwd', false],
    ['http://user:pw@127.0.0.1/', false],
    ['not a url', false],
  ])('development: %s → %s', (url, ok) => {
    expect(workerUrlAllowed(url, dev)).toBe(ok);
  });

  it('development with nothing allowed takes loopback only', () => {
    expect(workerUrlAllowed('http://127.0.0.1:8080/', devBare)).toBe(true);
    expect(workerUrlAllowed('http://gpu.example/', devBare)).toBe(false);
    expect(workerUrlAllowed('http://169.254.169.254/', devBare)).toBe(false);
  });

  it.each([
    ['http://gpu-1.internal:8080/', true],
    ['http://GPU-1.internal/', true],
    ['http://10.20.3.4:8080/', true],
    ['http://192.168.1.7/', true],
    ['http://[fd12::1]/', true],
    ['http://10.21.0.1/', false],
    ['http://192.168.1.8/', false],
    ['http://127.0.0.1/', false], // loopback is not implied outside development
    ['http://localhost/', false],
    ['http://gpu-2.internal/', false],
    ['http://evil-gpu-1.internal/', false],
    ['http://169.254.169.254/', false],
    ['gopher://gpu-1.internal/', false],
  ])('production: %s → %s', (url, ok) => {
    expect(workerUrlAllowed(url, prod)).toBe(ok);
  });

  it('refuses everything outside development when nothing is allowed, and malformed entries allow nothing', () => {
    expect(workerUrlAllowed('http://127.0.0.1/', { profile: 'staging', allowed: [] })).toBe(false);
    expect(workerUrlAllowed('http://10.0.0.1/', { profile: 'staging', allowed: ['10.0.0.0/99', '10.0.0.0/8/1', ' '] })).toBe(false);
  });

  it('describes the rule naming HYPERNODE_WORKER_HOSTS', () => {
    expect(describeWorkerHostRule(dev)).toMatch(/loopback.*HYPERNODE_WORKER_HOSTS/);
    expect(describeWorkerHostRule(prod)).toMatch(/HYPERNODE_WORKER_HOSTS \(gpu-1.internal, /);
  });
});
