import type { Catalog } from './en.ts';
import type { enMessaging } from './en-messaging.ts';

/** German text of message actions, typing and unread markers, spread into de.ts (the keys of en-messaging.ts). */
export const deMessaging: Pick<Catalog, keyof typeof enMessaging> = {
  'msg.actions': 'Aktionen für die Nachricht von {name}',
  'msg.reply': 'Antworten',
  'msg.react': 'Reaktion hinzufügen',
  'msg.edit': 'Bearbeiten',
  'msg.delete': 'Löschen',
  'msg.edited': '(bearbeitet)',
  'msg.editedAt': 'Bearbeitet {when}',
  'msg.deleted': 'Nachricht gelöscht',
  'msg.editLabel': 'Nachricht bearbeiten',
  'msg.editHint': 'Enter speichert, Esc bricht ab',
  'msg.deleteTitle': 'Nachricht löschen?',
  'msg.deleteText': 'Die Nachricht von {name} wird für alle gelöscht: „{snippet}“',
  'msg.deleteConfirm': 'Löschen',
  'msg.quote': 'Antwort an {name}: {snippet}. Original zeigen',
  'msg.notLoaded': 'Die Nachricht, auf die geantwortet wird, ist nicht geladen.',
  'msg.reaction': '{emoji} {count}: {names}',
  'msg.reactionOther': 'Anderes Emoji',
  'msg.reactionAdd': 'Hinzufügen',
  'msg.reactionPicker': 'Reaktionen',
  'composer.replying': 'Antwort an {name}: {snippet}',
  'composer.replyCancel': 'Antwort abbrechen',
  'typing.one': '{a} schreibt…',
  'typing.two': '{a} und {b} schreiben…',
  'typing.many': '{a}, {b} und andere schreiben…',
  'log.newMessages': 'Neue Nachrichten',
};
