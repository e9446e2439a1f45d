import { partReason, type MessageKind, type ServerEvent, type WireError } from '@parley/protocol';

const optionalText = (text: string | undefined): string => (text ? ` ${escapeText(text)}` : '');

/**
 * The text line mode's rendering: one line per reply or event, fields separated by single
 * spaces, free text last. Line breaks inside a message are shown as the two characters "\n" so
 * one message stays one line.
 */
export function escapeText(text: string): string {
  return text.replace(/\r\n|[\r\n]/g, '\\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '');
}

/** A stored message's text as a line shows it: MLS bytes are not text anyone could read. */
export function lineText(message: { text: string; kind?: MessageKind | undefined; redacted?: true | undefined }): string {
  if (message.kind === 'mls') return '(end-to-end encrypted)';
  if (message.kind === 'mls_commit') return '(encryption keys changed)';
  if (message.kind === 'redact' || ('redacted' in message && message.redacted)) return '(deleted)';
  return escapeText(message.text);
}

export function errorLine(error: WireError): string {
  const retry = error.retryAfterMs === undefined ? '' : ` (retry in ${error.retryAfterMs} ms)`;
  return `ERR ${error.code} ${error.name} ${escapeText(error.message)}${retry}`;
}


export function eventLine(event: ServerEvent): string {
  switch (event.ev) {
    case 'message':
      // An action (/me) is its own line word, so a reader never takes "waves" for something said.
      // Encrypted messages and group changes are MLS bytes a line client cannot open (docs/e2e.md).
      if (event.kind === 'mls') return `EMSG ${event.from} ${event.to} (end-to-end encrypted: open it in a Parley client)`;
      if (event.kind === 'mls_commit') return `EKEYS ${event.from} ${event.to}`;
      // Changes to a message name it by its seq (HISTORY and OK SEND show seqs).
      if (event.kind === 'edit') return `EDITED ${event.from} ${event.to} ${event.ref} ${escapeText(event.text)}`;
      if (event.kind === 'redact') return `REDACTED ${event.from} ${event.to} ${event.ref}${optionalText(event.text)}`;
      if (event.kind === 'react' || event.kind === 'unreact') return `${event.kind === 'react' ? 'REACTED' : 'UNREACTED'} ${event.from} ${event.to} ${event.ref} ${escapeText(event.text)}`;
      if (event.reply !== undefined) return `${event.kind === 'action' ? 'ACTION' : 'MSG'} ${event.from} ${event.to} (re ${event.reply}) ${escapeText(event.text)}`;
      return `${event.kind === 'action' ? 'ACTION' : 'MSG'} ${event.from} ${event.to} ${escapeText(event.text)}`;
    case 'join':
      return `JOIN ${event.user} ${event.room}`;
    case 'part':
      return `PART ${event.user} ${event.room}${optionalText(partReason(event))}`;
    case 'topic':
      return `TOPIC ${event.room} ${event.by} ${escapeText(event.topic)}`;
    case 'room_deleted':
      return `DELETED ${event.room} ${event.by}`;
    case 'room_role':
      return `ROOMROLE ${event.room} ${event.user} ${event.role} ${event.by}`;
    case 'presence':
      return `PRESENCE ${event.user} ${event.status}`;
    case 'nick':
      return `NICK ${event.old} ${event.new}`;
    case 'notice':
      return `NOTICE ${escapeText(event.text)}`;
    case 'ping':
      return `PING ${event.token}`;
    case 'welcome':
      return `WELCOME ${event.conv} ${event.epoch}`;
    case 'e2e_devices':
      return `EDEVICES ${event.user}${event.identity_changed ? ' identity-changed' : ''}`;
    case 'typing':
      return `TYPING ${event.user} ${event.conv} ${event.on ? 'on' : 'off'}`;
    case 'read':
      return `READ ${event.conv} ${event.seq}`;
    case 'receipt':
      return `RECEIPT ${event.user} ${event.conv} ${event.seq}`;
    case 'error':
      return errorLine(event.error);
  }
}
