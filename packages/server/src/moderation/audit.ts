import type { Logger } from 'pino';
import type { AuditEntry, Store } from '../store/store.ts';

export interface AuditEvent {
  actor: string;
  action: string;
  target?: string;
  detail?: string | Record<string, unknown>;
}

/**
 * Appends an operator action or security event to the store's audit table and logs it. Never
 * throws: a failed audit write is logged as an error and the action it records still stands.
 */
export async function audit(deps: { store: Store; log: Logger }, event: AuditEvent): Promise<AuditEntry | undefined> {
  const detail = typeof event.detail === 'string' ? event.detail : event.detail === undefined ? '' : JSON.stringify(event.detail);
  const entry = { at: Date.now(), actor: event.actor, action: event.action, target: event.target ?? '', detail };
  deps.log.info({ audit: entry }, `audit: ${entry.actor} ${entry.action} ${entry.target}`.trimEnd());
  try {
    return await deps.store.appendAudit(entry);
  } catch (err) {
    deps.log.error({ err, audit: entry }, 'audit write failed');
    return undefined;
  }
}
