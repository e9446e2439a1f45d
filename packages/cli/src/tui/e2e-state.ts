import { identityChangedWarning } from '../e2e-text.ts';
import { appendLine, appendSystemLine, appendUnreadLine, conversationKey, ensureConversation, sameName, targetKind, updateConversation, type ChatState, type DmSecurity, type E2eStatus, type Line } from './conversations.ts';

/**
 * End-to-end encryption in the terminal UI's state: whether this session has it, each DM's
 * encryption and verification and each room's mode (for their headers), who changed identity
 * (for the status bar), and the lines that say so. Pure, like the rest of the reducer.
 */
export type E2eAction =
  | { type: 'e2e-status'; state: Exclude<E2eStatus['state'], 'off'> }
  /** What the SDK says now about a DM with `name` (asked when the DM is opened, and after every change). */
  | { type: 'e2e-security'; name: string; security: DmSecurity }
  /** `identity_changed`: their key is not the pinned one. */
  | { type: 'e2e-identity-changed'; name: string }
  /** Whether the room is end-to-end encrypted, as the server or the SDK said; a room not open is left alone. */
  | { type: 'e2e-room'; room: string; encrypted: boolean }
  /** A line for the DM with `name`, or the room `name` (a message that could not be decrypted); `tag` replaces the line with that tag. */
  | { type: 'e2e-line'; name: string | undefined; text: string; tag?: string };

function withChanged(state: ChatState, name: string, changed: boolean): ChatState {
  const others = state.e2e.changed.filter((n) => !sameName(n, name));
  return { ...state, e2e: { ...state.e2e, changed: changed ? [...others, name] : others } };
}

/** The loud line, once per change: said when the DM's verification becomes `changed`. */
function warn(state: ChatState, name: string): ChatState {
  const next = ensureConversation(state, name, 'dm');
  const line: Line = { kind: 'error', ts: Date.now(), text: identityChangedWarning(name), alarm: true, mention: true };
  return withChanged(appendUnreadLine(next, conversationKey(name), line), name, true);
}

function setSecurity(state: ChatState, name: string, security: DmSecurity): ChatState {
  const key = conversationKey(name);
  const before = state.convs[key]?.security?.verification;
  const wasChanged = before === 'changed' || state.e2e.changed.some((n) => sameName(n, name));
  let next = security.verification === 'changed' && !wasChanged ? warn(state, name) : state;
  if (security.verification !== 'changed' && wasChanged) next = withChanged(next, name, false);
  return updateConversation(next, key, () => ({ security }));
}

function replaceTagged(state: ChatState, key: string, line: Line): ChatState | undefined {
  const conv = state.convs[key];
  if (!conv || line.tag === undefined || !conv.lines.some((l) => l.tag === line.tag)) return undefined;
  return updateConversation(state, key, (c) => ({ lines: c.lines.map((l) => (l.tag === line.tag ? line : l)) }));
}

export function reduceE2eEvent(state: ChatState, action: E2eAction): ChatState {
  switch (action.type) {
    case 'e2e-status':
      return { ...state, e2e: { ...state.e2e, state: action.state } };
    case 'e2e-security':
      return setSecurity(state, action.name, action.security);
    case 'e2e-identity-changed': {
      const current = state.convs[conversationKey(action.name)]?.security;
      return setSecurity(state, action.name, { encryption: current?.encryption ?? 'encrypted', verification: 'changed' });
    }
    case 'e2e-room':
      return updateConversation(state, conversationKey(action.room), (conv) => (conv.kind === 'room' ? { encrypted: action.encrypted } : {}));
    case 'e2e-line': {
      const line: Line = { kind: 'error', ts: Date.now(), text: action.text, ...(action.tag !== undefined ? { tag: action.tag } : {}) };
      if (action.name === undefined) return appendSystemLine(state, line);
      const key = conversationKey(action.name);
      const kind = targetKind(action.name);
      // A DM window opens for the line; a room's goes to its window only while I am in it.
      if (kind === 'room' && !state.convs[key]) return appendSystemLine(state, line);
      const next = ensureConversation(state, action.name, kind);
      return replaceTagged(next, key, line) ?? appendLine(next, key, line);
    }
  }
}
