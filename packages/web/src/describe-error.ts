import { ParleyClientError } from '@parley/client';
import { ERRORS, ParleyError, type ErrorName } from '@parley/protocol';
import { hasMessage, t } from './i18n/index.ts';

/**
 * A failure as a person reads it, in the interface's language: the catalog's sentence for the
 * error's registry name (FORBIDDEN, INVITE_ONLY, …; SDK-local ones such as TIMEOUT too), then the
 * server's own message when it says more than the registry's generic description ("MUTE in #den
 * needs its moderator role…", a ban's reason). The name itself is never shown: it is for code.
 * A name the catalog does not know (a newer server) falls back to the server's message.
 */
export function describeError(error: unknown): string {
  if (error instanceof ParleyClientError || error instanceof ParleyError) return errorSentence(error.errorName, error.message);
  return error instanceof Error ? error.message : String(error);
}

export function errorSentence(name: string, message: string): string {
  const key = `error.${name}`;
  const detail = message.trim();
  if (!hasMessage(key)) return detail || t('error.unknown');
  const sentence = t(key);
  const generic = name in ERRORS ? ERRORS[name as ErrorName].description : undefined;
  if (detail === '' || detail === generic || detail.replace(/\.$/, '') === generic?.replace(/\.$/, '')) return sentence;
  // "You are banned from this server: spam" already says the sentence, and more.
  if (detail.toLowerCase().startsWith(sentence.replace(/[.!]$/, '').toLowerCase())) return asSentence(detail);
  return t('error.withDetail', { sentence, detail: asSentence(detail) });
}

/**
 * Why the client ended, for the connect screen. After a kick or a ban (the registry's `stop`
 * action) it says so plainly and that it will not come back by itself: the old client did,
 * within a second, which made a kick meaningless.
 */
export function describeDisconnect(error: ParleyClientError): string {
  const reason = describeError(error);
  if (error.errorName === 'KICKED') return t('disconnect.kicked', { reason });
  if (error.errorName === 'BANNED') return t('disconnect.banned', { reason });
  return t('app.disconnected', { reason });
}

/** The server's text ends without a full stop; its first word may be a name, so its case stays. */
const asSentence = (text: string): string => (/[.!?…:]$/.test(text) ? text : `${text}.`);
