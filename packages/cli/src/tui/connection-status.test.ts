import { describe, expect, it } from 'vitest';
import { ParleyClientError } from '@parley/client';
import { connectionFromState, describeConnection, describeTrust, shortFingerprint } from './connection-status.ts';

describe('connection status', () => {
  it('counts down a reconnect in whole seconds', () => {
    const c = connectionFromState({ state: 'reconnecting', delayMs: 2500 }, 1000);
    expect(describeConnection(c, 1000).text).toBe('reconnecting in 3 s');
    expect(describeConnection(c, 3000).text).toBe('reconnecting in 1 s');
    expect(describeConnection(c, 3600).text).toBe('reconnecting…');
    expect(describeConnection(connectionFromState({ state: 'reconnecting' }, 0), 0).text).toBe('reconnecting…');
  });

  it('says connected, resumed, or why it closed', () => {
    expect(describeConnection(connectionFromState({ state: 'connected' }, 0), 0)).toEqual({ text: 'connected', tone: 'ok' });
    expect(describeConnection(connectionFromState({ state: 'connected', resumed: true, missed: 4 }, 0), 0).text).toBe('resumed (4 missed)');
    const error = ParleyClientError.local('CLOSED', 'The client was closed');
    expect(describeConnection(connectionFromState({ state: 'closed', error }, 0), 0)).toEqual({ text: 'closed: CLOSED: The client was closed', tone: 'bad' });
    const kicked = ParleyClientError.fromWire({ code: 2009, name: 'KICKED', action: 'stop', message: 'You were kicked by alice: bye' });
    expect(describeConnection(connectionFromState({ state: 'closed', error: kicked }, 0), 0).text).toBe('closed: disconnected by an operator');
  });

  it('describes how the server was verified', () => {
    const fp = 'ab:cd:ef:01:23:45';
    expect(shortFingerprint(fp)).toBe('AB:CD…23:45');
    expect(describeTrust('tls', { how: 'pinned', fingerprint: fp }).text).toBe('TLS pinned AB:CD…23:45');
    expect(describeTrust('tls', { how: 'new', fingerprint: fp }).text).toBe('TLS newly pinned AB:CD…23:45');
    expect(describeTrust('tls', { how: 'ca', fingerprint: fp }).text).toBe('TLS CA-verified');
    expect(describeTrust('wss', { how: 'pinned', fingerprint: fp }).text).toBe('TLS pinned AB:CD…23:45');
    expect(describeTrust('tcp', undefined)).toMatchObject({ text: 'not encrypted', tone: 'bad' });
  });
});
