import { deepFreeze } from './config-layers.ts';
import type { Config } from './schema.ts';

/**
 * Which keys a reload applies (SIGHUP, `parley admin reload`, the console's `reload`); the
 * list in docs/configuration.md must match. Everything else needs a restart: listeners, the
 * data dir and logging are set up once at start.
 */
export const LIVE_KEYS = ['motd', 'limits', 'moderation.bans_file', 'moderation.exempt_addresses', 'tls.cert_file', 'tls.key_file'] as const;

export interface ReloadPlan {
  /** The snapshot to swap in: the current one with the live keys taken from the new one. */
  next: Config;
  /** Live keys whose value changed. */
  applied: string[];
  /** Keys that changed but only take effect after a restart. */
  restartNeeded: string[];
}

function leaves(value: unknown, prefix: string, out: Map<string, string>): Map<string, string> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value)) leaves(child, prefix ? `${prefix}.${key}` : key, out);
  } else {
    out.set(prefix, JSON.stringify(value));
  }
  return out;
}

export function planReload(current: Config, loaded: Config): ReloadPlan {
  const next = deepFreeze({
    ...current,
    motd: loaded.motd,
    limits: loaded.limits,
    moderation: { ...current.moderation, bans_file: loaded.moderation.bans_file, exempt_addresses: loaded.moderation.exempt_addresses },
    tls: loaded.tls,
  } as Config);
  const before = leaves(current, '', new Map());
  const wanted = leaves(loaded, '', new Map());
  const swapped = leaves(next, '', new Map());
  const applied: string[] = [];
  const restartNeeded: string[] = [];
  for (const [key, value] of wanted) {
    if (before.get(key) === value) continue;
    if (swapped.get(key) === value) applied.push(key);
    else restartNeeded.push(key);
  }
  return { next, applied, restartNeeded };
}
