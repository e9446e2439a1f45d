import type { Conversation, E2eStatus } from './conversations.ts';
import type { Glyphs } from './glyphs.ts';
import { textWidth } from './text-width.ts';

/** What the header says about a conversation's encryption: forms from longest to shortest, and a tone. */
export interface SecurityLabel {
  forms: string[];
  tone: 'ok' | 'warn' | 'bad' | 'dim';
}

const TLS_ONLY: SecurityLabel = { forms: ['not end-to-end encrypted', 'not e2e'], tone: 'dim' };

/**
 * An encrypted room has no one person to verify: it says it is encrypted, or, when this session
 * has no end-to-end encryption, that nothing there can be read or sent from here.
 */
function roomLabel(e2e: E2eStatus['state'], glyphs: Glyphs): SecurityLabel {
  if (e2e === 'off') return { forms: ['encrypted room: end-to-end encryption is off (--no-e2e)', 'encrypted room, e2e off'], tone: 'warn' };
  if (e2e === 'failed') return { forms: ['encrypted room: end-to-end encryption is not set up', 'encrypted room, e2e off'], tone: 'warn' };
  return { forms: [`${glyphs.lock}end-to-end encrypted`, `${glyphs.lock}encrypted`], tone: 'ok' };
}

/**
 * ALL and plain rooms are TLS only; an encrypted room says so; a DM says whether it is
 * end-to-end encrypted, verified, or changed.
 */
export function securityLabel(conv: Conversation | undefined, input: { e2e: E2eStatus['state']; glyphs: Glyphs }): SecurityLabel | undefined {
  const { e2e, glyphs } = input;
  if (!conv || conv.kind === 'status') return undefined;
  if (conv.kind === 'room') return conv.encrypted ? roomLabel(e2e, glyphs) : TLS_ONLY;
  if (conv.kind !== 'dm') return TLS_ONLY;
  if (e2e === 'off') return { forms: ['unencrypted: end-to-end encryption is off (--no-e2e)', 'unencrypted'], tone: 'warn' };
  if (e2e === 'failed') return { forms: ['unencrypted: end-to-end encryption is not set up', 'unencrypted'], tone: 'warn' };
  const security = conv.security;
  if (!security) return undefined;
  const warning = glyphs.warning;
  if (security.verification === 'changed') return { forms: [`${warning}identity changed: /verify ${conv.label}`, `${warning}identity changed`, warning.trim()], tone: 'bad' };
  if (security.encryption === 'unencrypted') return { forms: [`unencrypted: ${conv.label} has no e2e keys`, 'unencrypted'], tone: 'warn' };
  if (security.verification === 'verified') return { forms: [`${glyphs.lock}encrypted, verified`, `${glyphs.lock}verified`], tone: 'ok' };
  return { forms: [`${glyphs.lock}encrypted, not verified`, `${glyphs.lock}encrypted`], tone: 'ok' };
}

/**
 * The longest form that leaves the title `keep` columns (or all of a shorter title) in `width`;
 * a warning keeps its shortest form whatever it costs, anything else is left out.
 */
export function pickForm(label: SecurityLabel, input: { width: number; titleWidth: number; keep?: number }): string | undefined {
  const room = input.width - Math.min(input.titleWidth, input.keep ?? 16) - 2;
  const fits = label.forms.find((form) => textWidth(form) + 2 <= room);
  return fits ?? (label.tone === 'bad' ? label.forms.at(-1) : undefined);
}
