import { deepFreeze } from './config-layers.ts';
import { LIVE_KEYS } from './live-keys.ts';
import type { Config } from './schema.ts';

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

type Tree = Record<string, unknown>;

/** A copy of `target` with the value at `path` taken from `source` (copying each object on the way). */
function withValue(target: Tree, source: Tree, path: readonly string[]): Tree {
  const [head, ...rest] = path;
  if (head === undefined) return target;
  const value = rest.length === 0 ? source[head] : withValue((target[head] ?? {}) as Tree, (source[head] ?? {}) as Tree, rest);
  return { ...target, [head]: value };
}

/** Applies the live keys of config/live-keys.ts, and reports what changed and what waits for a restart. */
export function planReload(current: Config, loaded: Config): ReloadPlan {
  let next = current as unknown as Tree;
  for (const key of Object.keys(LIVE_KEYS)) next = withValue(next, loaded as unknown as Tree, key.split('.'));
  const frozen = deepFreeze(next as unknown as Config);
  const before = leaves(current, '', new Map());
  const wanted = leaves(loaded, '', new Map());
  const swapped = leaves(frozen, '', new Map());
  const applied: string[] = [];
  const restartNeeded: string[] = [];
  for (const [key, value] of wanted) {
    if (before.get(key) === value) continue;
    if (swapped.get(key) === value) applied.push(key);
    else restartNeeded.push(key);
  }
  return { next: frozen, applied, restartNeeded };
}
