import type { Config } from '../config/schema.ts';
import { planReload, type ReloadPlan } from '../config/reload.ts';
import type { ServerContext } from '../core/context.ts';
import { audit } from './audit.ts';
import { enforceBans } from './enforce.ts';

/**
 * Swaps in the live part of a new config snapshot (atomically: one assignment, readers see
 * either the old or the new snapshot), re-reads the bans file and store moderation data, and
 * applies bans to live sessions. The TLS certificate is swapped by ParleyServer.reload.
 */
export async function applyReload(server: ServerContext, loaded: Config, actor: string): Promise<ReloadPlan> {
  const plan = planReload(server.config, loaded);
  // ServerContext.config is readonly to every reader; this is the one place that replaces it.
  (server as { config: Config }).config = plan.next;
  for (const session of server.sessions) session.limitsChanged();
  await server.moderation.loadBansFile();
  await server.moderation.load().catch((err: unknown) => server.log.error({ err }, 'reload: re-reading moderation data failed'));
  const closed = await enforceBans(server);
  server.federation?.enforceDenied();
  if (plan.restartNeeded.length > 0) server.log.warn({ keys: plan.restartNeeded }, 'reload: these settings changed but need a restart');
  await audit(server, { actor, action: 'config.reload', detail: { applied: plan.applied, restartNeeded: plan.restartNeeded, closed } });
  return plan;
}
