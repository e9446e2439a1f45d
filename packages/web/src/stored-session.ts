import { ParleyClientError } from '@parley/client';

/**
 * "Stay signed in on this device": what the page keeps between visits. Only the device token
 * the server issued, never the password; the token can be revoked from any other device (or by
 * an operator), and then it is worth nothing. One signed-in account per browser profile.
 */
export interface StoredSession {
  /** The server's address, or its nodes' separated by spaces (server-addresses.ts). */
  url: string;
  name: string;
  token: string;
  deviceId: number;
}

const KEY = 'parley.device';

function isStoredSession(value: unknown): value is StoredSession {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.url === 'string' && typeof v.name === 'string' && typeof v.token === 'string' && typeof v.deviceId === 'number';
}

export function loadStoredSession(): StoredSession | undefined {
  try {
    const raw = localStorage.getItem(KEY);
    const parsed: unknown = raw === null ? undefined : JSON.parse(raw);
    return isStoredSession(parsed) ? parsed : undefined;
  } catch {
    // Storage disabled, or something else wrote the key: nothing usable is stored.
    return undefined;
  }
}

export function saveStoredSession(session: StoredSession): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(session));
  } catch {
    // Private mode or storage disabled: the next visit shows the sign-in form again.
  }
}

export function forgetStoredSession(): void {
  try {
    localStorage.removeItem(KEY);
  } catch {
    // Nothing could be stored either.
  }
}

/**
 * What this device is called in device lists ("Chrome on Linux"), from the user agent: a
 * reminder for the person choosing which device to revoke, not something to trust.
 */
export function deviceLabel(userAgent: string = typeof navigator === 'undefined' ? '' : navigator.userAgent): string {
  const browser = /Edg\//.test(userAgent)
    ? 'Edge'
    : /Firefox\//.test(userAgent)
      ? 'Firefox'
      : /Chrom(e|ium)\//.test(userAgent)
        ? 'Chrome'
        : /Safari\//.test(userAgent)
          ? 'Safari'
          : 'Browser';
  const system = /Android/.test(userAgent)
    ? 'Android'
    : /iPhone|iPad/.test(userAgent)
      ? 'iOS'
      : /Windows/.test(userAgent)
        ? 'Windows'
        : /Mac OS X|Macintosh/.test(userAgent)
          ? 'macOS'
          : /CrOS/.test(userAgent)
            ? 'ChromeOS'
            : /Linux/.test(userAgent)
              ? 'Linux'
              : undefined;
  return system ? `${browser} on ${system}` : browser;
}

/**
 * Whether a failure means this browser's stored sign-in is over: the server refused the token
 * (TOKEN_INVALID) or revoked the device while it was connected (DEVICE_REVOKED). Then the
 * stored token is forgotten and the person signs in with the password again.
 */
export function isSignedOut(error: unknown): boolean {
  return error instanceof ParleyClientError && (error.errorName === 'TOKEN_INVALID' || error.errorName === 'DEVICE_REVOKED');
}

export const SIGNED_OUT_MESSAGE =
  'You were signed out on this device: its sign-in was revoked, from another of your devices or by an operator. Sign in with your password to continue.';
