import type { ChatMessage } from '@parley/protocol';

/** One line per event for `parley chat --plain`; line breaks inside a message become "\n". */
export function oneLine(text: string): string {
  return text.replace(/\r\n|[\r\n]/g, '\\n');
}

export function formatMessage(message: ChatMessage, me: string | undefined): string {
  const text = oneLine(message.text);
  if (message.to.startsWith('#')) return `[${message.to}] ${message.from}: ${text}`;
  if (message.to === 'ALL') return `[all] ${message.from}: ${text}`;
  // A DM I sent from another connection of mine.
  if (me !== undefined && message.from === me && message.to !== me) return `[dm → ${message.to}] ${message.from}: ${text}`;
  return `[dm] ${message.from}: ${text}`;
}
