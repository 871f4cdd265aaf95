import { describe, expect, it } from 'vitest';
import { PortConfigError } from './errors.js';
import { networkHost, parseHost, parseNetwork, urlHost } from './network.js';

describe('network switch', () => {
  it('knows local, compose and kubernetes, and names the valid ones for anything else', () => {
    expect(parseNetwork('local')).toBe('local');
    expect(parseNetwork('compose')).toBe('compose');
    expect(parseNetwork('kubernetes')).toBe('kubernetes');
    expect(() => parseNetwork('docker')).toThrow(PortConfigError);
    expect(() => parseNetwork('docker')).toThrow(/HYPERNODE_NETWORK="docker" is not valid: expected one of local, compose, kubernetes/);
    expect(() => parseNetwork('Compose', '--network')).toThrow(/--network="Compose" is not valid/);
  });

  it('local reaches every service on localhost; compose by its service name; kubernetes by its Service name', () => {
    expect(networkHost('local', 'gpu-worker')).toBe('localhost');
    expect(networkHost('compose', 'gpu-worker')).toBe('gpu-worker');
    expect(networkHost('kubernetes', 'gpu-worker')).toBe('gpu-worker');
  });

  it.each(['api', 'db.internal', '10.0.0.5', 'my_service', '::1', '[fd00::5]'])('accepts the host %s', (host) => {
    expect(parseHost(host, 'API_HOST')).toBe(host.replace(/^\[|\]$/g, ''));
  });

  it.each(['http://api', 'api:3002', 'a b', '-api', '', 'api/', '[nope]'])('refuses the host %j, naming the variable and the fix', (host) => {
    expect(() => parseHost(host, 'API_HOST')).toThrow(PortConfigError);
    expect(() => parseHost(host, 'API_HOST')).toThrow(new RegExp(`API_HOST=${JSON.stringify(host).replace(/[[\]]/g, '\\$&')} is not valid: expected a host name or IP address without scheme or port`));
  });

  it('puts IPv6 addresses in brackets inside URLs', () => {
    expect(urlHost('::1')).toBe('[::1]');
    expect(urlHost('api')).toBe('api');
  });
});
