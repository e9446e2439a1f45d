import type { DirectConversationInfo } from '@parley/protocol';
import type { Conversation } from './conversation.ts';

/**
 * Closed direct conversations, remembered in localStorage (per server and name) with the seq
 * they had when closed: a reload or another sign-in does not bring one back, a newer message
 * does. Keyed by conversation id, which names one pair of people for good (a guest's next
 * login is someone else), so nothing needs forgetting when names change.
 */
export class ClosedConversations {
  private readonly closed: Record<string, number>;

  constructor(private readonly storageKey: string) {
    this.closed = readRecord(storageKey);
  }

  /** Whether a message (or a listed conversation) at `seq` stays out of the sidebar. */
  hides(conv: string, seq: number): boolean {
    const at = this.closed[conv];
    return at !== undefined && seq <= at;
  }

  close(conversation: Conversation): void {
    if (conversation.conv === undefined) return;
    this.closed[conversation.conv] = conversation.lastSeq;
    this.save();
  }

  /** The conversation is in the sidebar again (a newer message, or opened by hand). */
  reopen(conv: string): void {
    if (!(conv in this.closed)) return;
    delete this.closed[conv];
    this.save();
  }

  private save(): void {
    try {
      localStorage.setItem(this.storageKey, JSON.stringify(this.closed));
    } catch {
      // Storage full or disabled: closing still works until the page is reloaded.
    }
  }
}

export function closedStorageKey(server: string, me: string): string {
  return `parley.closed-dms:${server}:${me}`;
}

function readRecord(key: string): Record<string, number> {
  try {
    const value: unknown = JSON.parse(localStorage.getItem(key) ?? '{}');
    if (typeof value !== 'object' || value === null) return {};
    return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, number] => typeof entry[1] === 'number'));
  } catch {
    return {};
  }
}

/** Fills in what the server's list says about a direct conversation the sidebar shows. */
export function applyListed(conversation: Conversation, listed: DirectConversationInfo): void {
  conversation.conv = listed.conv;
  if (listed.lastSeq > conversation.lastSeq) conversation.lastSeq = listed.lastSeq;
}
