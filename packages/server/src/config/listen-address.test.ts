import { describe, expect, it } from 'vitest';
import { formatListenAddress, parseHttpListenAddress, parseListenAddress } from './listen-address.ts';

describe('parseListenAddress', () => {
  it.each([
    ['127.0.0.1:12345', { host: '127.0.0.1', port: 12345, tls: true }],
    ['0.0.0.0:0', { host: '0.0.0.0', port: 0, tls: true }],
    ['localhost:8080', { host: 'localhost', port: 8080, tls: true }],
    ['chat.example.org:65535', { host: 'chat.example.org', port: 65535, tls: true }],
    ['[::1]:12345', { host: '::1', port: 12345, tls: true }],
    ['[::]:0', { host: '::', port: 0, tls: true }],
    ['tcp://127.0.0.1:1', { host: '127.0.0.1', port: 1, tls: false }],
    ['tcp://[fe80::1]:443', { host: 'fe80::1', port: 443, tls: false }],
    ['tls://example.org:443', { host: 'example.org', port: 443, tls: true }],
    ['TLS://[2001:db8::2]:7000', { host: '2001:db8::2', port: 7000, tls: true }],
  ])('parses %s', (entry, expected) => {
    expect(parseListenAddress(entry)).toEqual(expected);
  });

  it.each([
    ['', /missing ":port"/],
    ['127.0.0.1', /missing ":port"/],
    ['127.0.0.1:', /missing port/],
    [':12345', /missing host/],
    ['127.0.0.1:65536', /out of range/],
    ['127.0.0.1:-1', /not an integer/],
    ['127.0.0.1:80x', /not an integer/],
    ['127.0.0.1:1.5', /not an integer/],
    ['::1:12345', /must be in brackets/],
    ['[::1]12345', /expected ":port"/],
    ['[::1:12345', /missing "]"/],
    ['[not-v6]:1', /not a valid IPv6/],
    ['[127.0.0.1]:1', /not a valid IPv6/],
    ['999.1.1.1:1', /not a valid IPv4/],
    ['bad_host:1', /not a valid hostname/],
    ['-bad.example:1', /not a valid hostname/],
    ['has space:1', /not a valid hostname/],
    ['udp://127.0.0.1:1', /unsupported scheme/],
    ['http://127.0.0.1:1', /unsupported scheme/],
    ['tcp://127.0.0.1:1/path', /not an integer/],
  ])('rejects %j', (entry, message) => {
    expect(() => parseListenAddress(entry)).toThrow(message);
  });

  it('names the offending entry in the error', () => {
    expect(() => parseListenAddress('nope')).toThrow('invalid listen address "nope"');
  });
});

describe('parseHttpListenAddress', () => {
  it.each([
    ['127.0.0.1:8080', false],
    ['http://127.0.0.1:8080', false],
    ['tcp://127.0.0.1:8080', false],
    ['https://[::1]:8443', true],
    ['HTTPS://chat.example.org:443', true],
    ['tls://127.0.0.1:8443', true],
  ])('parses %s (HTTPS: %s)', (entry, tls) => {
    expect(parseHttpListenAddress(entry).tls).toBe(tls);
  });

  it('names the schemes it takes', () => {
    expect(() => parseHttpListenAddress('ws://127.0.0.1:1')).toThrow(/unsupported scheme "ws:\/\/" \(use http:\/\/ or https:\/\/ or tcp:\/\/ or tls:\/\/\)/);
  });
});

describe('formatListenAddress', () => {
  it('brackets IPv6 hosts and round-trips', () => {
    expect(formatListenAddress({ host: '::1', port: 12345 })).toBe('[::1]:12345');
    expect(formatListenAddress(parseListenAddress('tcp://127.0.0.1:80'))).toBe('127.0.0.1:80');
    for (const entry of ['[2001:db8::1]:9', 'example.org:1', '10.0.0.1:0']) {
      expect(formatListenAddress(parseListenAddress(entry))).toBe(entry);
    }
  });
});
