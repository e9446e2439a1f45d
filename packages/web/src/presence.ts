import type { ChatStore } from './chat-store.ts';

export type ShownPresence = 'online' | 'away' | 'offline' | 'unknown';

/**
 * The presence a dot shows: what the server last said while we are connected, "unknown" while
 * we are not. During an outage nobody's status reaches us, so the last one seen would be a
 * guess shown as a fact; the member lists are read again after the reconnect.
 */
export function presenceShown(store: ChatStore, status: 'online' | 'away' | 'offline'): ShownPresence {
  return store.connection.state === 'connected' ? status : 'unknown';
}
