import { foldName } from '@parley/protocol';
import type { Conversation } from './conversation.ts';
import { t } from './i18n/index.ts';

export type NotifyLevel = 'all' | 'mentions' | 'none';
export const NOTIFY_LEVELS: readonly NotifyLevel[] = ['all', 'mentions', 'none'];

/** Whether a message names `me` (`@name`) or the room (`@room`). */
export function mentions(text: string, me: string): boolean {
  if (me === '') return false;
  return foldName(text).includes(`@${foldName(me)}`) || /(^|\W)@room\b/i.test(text);
}

const supported = (): boolean => typeof Notification !== 'undefined';

/**
 * Desktop notifications: only after the person allowed them (the sidebar's button asks the
 * browser; never on its own), for messages that arrive while their conversation is not in view.
 * Each conversation's level (all, mentions, none) is kept in this browser's localStorage;
 * direct conversations default to all, rooms to mentions.
 */
export class Notifier {
  private levels: Record<string, NotifyLevel> = {};

  constructor(private readonly storageKey: string) {
    try {
      this.levels = JSON.parse(localStorage.getItem(storageKey) ?? '{}') as Record<string, NotifyLevel>;
    } catch {
      this.levels = {};
    }
  }

  /** The browser can show them and the person has not decided yet: the button is offered. */
  get askable(): boolean {
    return supported() && Notification.permission === 'default';
  }

  get allowed(): boolean {
    return supported() && Notification.permission === 'granted';
  }

  async ask(): Promise<void> {
    if (supported()) await Notification.requestPermission();
  }

  level(conv: Conversation): NotifyLevel {
    return this.levels[conv.key] ?? (conv.kind === 'dm' ? 'all' : 'mentions');
  }

  setLevel(conv: Conversation, level: NotifyLevel): void {
    this.levels[conv.key] = level;
    try {
      localStorage.setItem(this.storageKey, JSON.stringify(this.levels));
    } catch {
      // Private mode or a full quota: the level holds for this visit.
    }
  }

  /** A message from someone else arrived in `conv`, not in view. */
  message(conv: Conversation, { from, text, me }: { from: string; text: string; me: string }): void {
    const level = this.level(conv);
    if (!this.allowed || level === 'none' || (level === 'mentions' && !mentions(text, me))) return;
    try {
      new Notification(conv.kind === 'dm' ? from : t('notify.title', { from, title: conv.title }), { body: text.slice(0, 200), tag: conv.key });
    } catch {
      // Some browsers allow notifications only from a service worker: nothing to show then.
    }
  }
}
