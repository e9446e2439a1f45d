import type { StateChange } from '@parley/client';
import { isOperatorStop } from '../chat-format.ts';

/** What the status bar says about the connection. */
export type Connection =
  | { state: 'connecting' }
  | { state: 'connected'; resumed: boolean; missed: number }
  | { state: 'reconnecting'; retryAt: number | undefined }
  | { state: 'closed'; reason: string | undefined };

export function connectionFromState(change: StateChange, now: number): Connection {
  switch (change.state) {
    case 'idle':
    case 'connecting':
      return { state: 'connecting' };
    case 'connected':
      return { state: 'connected', resumed: change.resumed === true, missed: change.missed ?? 0 };
    case 'reconnecting':
      return { state: 'reconnecting', retryAt: change.delayMs === undefined ? undefined : now + change.delayMs };
    case 'closed':
      // A kick or ban is not a fault to debug: the conversation says who and why (stoppedText).
      if (change.error && isOperatorStop(change.error)) return { state: 'closed', reason: 'disconnected by an operator' };
      return { state: 'closed', reason: change.error ? `${change.error.errorName}: ${change.error.message}` : undefined };
  }
}

export function describeConnection(connection: Connection, now: number): { text: string; tone: 'ok' | 'warn' | 'bad' } {
  switch (connection.state) {
    case 'connecting':
      return { text: 'connecting…', tone: 'warn' };
    case 'connected':
      return connection.resumed ? { text: `resumed (${connection.missed} missed)`, tone: 'ok' } : { text: 'connected', tone: 'ok' };
    case 'reconnecting':
      if (connection.retryAt === undefined || connection.retryAt <= now) return { text: 'reconnecting…', tone: 'warn' };
      return { text: `reconnecting in ${Math.ceil((connection.retryAt - now) / 1000)} s`, tone: 'warn' };
    case 'closed':
      return { text: connection.reason ? `closed: ${connection.reason}` : 'closed', tone: 'bad' };
  }
}

/** How the server was verified, for the status bar. */
export type TrustInfo = { how: 'ca' | 'pinned' | 'new'; fingerprint: string } | undefined;

/** "AB:CD:…:EF:01": enough to compare with the fingerprint the server printed. */
export function shortFingerprint(fingerprint: string): string {
  const bytes = fingerprint.toUpperCase().split(':');
  return bytes.length <= 4 ? bytes.join(':') : `${bytes.slice(0, 2).join(':')}…${bytes.slice(-2).join(':')}`;
}

/** `shorter`: what a narrow status bar shows instead, longest first (the fingerprint goes first). */
export function describeTrust(scheme: string, trust: TrustInfo): { text: string; shorter: string[]; tone: 'ok' | 'warn' | 'bad' } {
  if (scheme === 'tcp' || scheme === 'ws') return { text: 'not encrypted', shorter: [], tone: 'bad' };
  if (trust?.how === 'ca') return { text: 'TLS CA-verified', shorter: ['TLS'], tone: 'ok' };
  if (!trust) return { text: 'TLS', shorter: [], tone: 'warn' };
  const pinned = trust.how === 'new' ? 'TLS newly pinned' : 'TLS pinned';
  return { text: `${pinned} ${shortFingerprint(trust.fingerprint)}`, shorter: [pinned, 'TLS'], tone: 'ok' };
}
