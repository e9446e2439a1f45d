import type { ServerContext } from '../core/context.ts';
import { enforceBans } from './enforce.ts';
import { OperPassword } from './oper-password.ts';

/**
 * Loads roles, bans and disabled commands, starts the operator password (and its rotation) and
 * the sync poll: every moderation.sync_interval_ms the store's moderation version is read (one
 * indexed row), and when `parley admin` changed something in another process, everything is
 * re-read and bans are applied to live sessions. Returns a function that stops both timers.
 */
export async function startModeration(server: ServerContext, onOperPassword?: (password: string) => void): Promise<() => void> {
  const { moderation, config, log } = server;
  await moderation.load();
  await moderation.loadBansFile();
  const stops: (() => void)[] = [];
  if (config.moderation.oper_password) {
    const announce =
      onOperPassword ?? ((password: string) => log.warn({ operPassword: password }, 'operator password (use /OPER <password>); it rotates'));
    moderation.oper = new OperPassword((password) => {
      announce(password);
      log.info({ rotateMinutes: server.config.moderation.oper_password_rotate_minutes }, 'operator password issued');
    });
    stops.push(moderation.oper.start(config.moderation.oper_password_rotate_minutes));
  }
  let syncing = false;
  const timer = setInterval(() => {
    if (syncing) return;
    syncing = true;
    moderation
      .sync()
      .then(async (changed) => {
        if (!changed) return;
        const closed = await enforceBans(server);
        log.info({ closed }, 'moderation data changed in the store; re-read');
      })
      .catch((err: unknown) => log.error({ err }, 'moderation sync failed'))
      .finally(() => (syncing = false));
  }, config.moderation.sync_interval_ms);
  timer.unref();
  stops.push(() => clearInterval(timer));
  // Hourly housekeeping: expired bans match nobody (deleting them keeps LISTBANS small), and
  // the audit log would otherwise grow with every failed login forever.
  const prune = setInterval(() => {
    const now = Date.now();
    server.store.deleteExpiredBans(now).then(
      (deleted) => deleted > 0 && log.info({ deleted }, 'expired bans deleted'),
      (err: unknown) => log.error({ err }, 'deleting expired bans failed'),
    );
    const days = server.config.moderation.audit_retention_days;
    if (days === 0) return;
    server.store.deleteAuditBefore(now - days * 86_400_000).then(
      (deleted) => deleted > 0 && log.info({ deleted }, 'old audit entries deleted'),
      (err: unknown) => log.error({ err }, 'pruning the audit log failed'),
    );
  }, 3_600_000);
  prune.unref();
  stops.push(() => clearInterval(prune));
  return () => stops.forEach((stop) => stop());
}
