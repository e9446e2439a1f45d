import { ConfigSchema } from './schema.ts';

/**
 * The building blocks of config loading: key paths derived from the schema's defaults, how a raw
 * string from the environment or a flag takes its key's type, and the layered, not yet validated
 * tree that remembers where each value came from.
 */
export type Tree = Record<string, unknown>;

export function isTree(v: unknown): v is Tree {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

let cachedDefaults: Tree | undefined;
let cachedPaths: string[] | undefined;

function defaults(): Tree {
  return (cachedDefaults ??= ConfigSchema.parse({}) as Tree);
}

export function getIn(tree: Tree, segs: readonly string[]): unknown {
  let node: unknown = tree;
  for (const s of segs) {
    if (!isTree(node) || !Object.hasOwn(node, s)) return undefined;
    node = node[s];
  }
  return node;
}

export function setIn(tree: Tree, segs: readonly string[], value: unknown): void {
  let node = tree;
  for (const s of segs.slice(0, -1)) {
    const next = node[s];
    // A higher layer replaces a wrong-typed lower value outright; precedence beats the mistake.
    node = isTree(next) ? next : (node[s] = Object.create(null) as Tree);
  }
  node[segs[segs.length - 1] ?? ''] = value;
}

/** Every leaf key path, in schema order. Derived from the defaults so it can never drift. */
export function configKeyPaths(): string[] {
  if (cachedPaths) return [...cachedPaths];
  const out: string[] = [];
  const walk = (node: Tree, prefix: string): void => {
    for (const [k, v] of Object.entries(node)) {
      const p = prefix ? `${prefix}.${k}` : k;
      if (isTree(v)) walk(v, p);
      else out.push(p);
    }
  };
  walk(defaults(), '');
  cachedPaths = out;
  return [...out];
}

export function envNameFor(keyPath: string): string {
  return `PARLEY_${keyPath.replaceAll('.', '_').toUpperCase()}`;
}

type Coerced = { ok: true; value: unknown } | { ok: false; message: string };

/** Raw strings from env/flags take the type of the key's default value. */
export function coerce(keyPath: string, raw: string): Coerced {
  const def = getIn(defaults(), keyPath.split('.'));
  if (typeof def === 'number') {
    const n = Number(raw.trim());
    if (raw.trim() === '' || !Number.isFinite(n)) return { ok: false, message: `expected a number, got "${raw}"` };
    return { ok: true, value: n };
  }
  if (typeof def === 'boolean') {
    const v = raw.trim().toLowerCase();
    if (['true', '1', 'yes'].includes(v)) return { ok: true, value: true };
    if (['false', '0', 'no'].includes(v)) return { ok: true, value: false };
    return { ok: false, message: `expected a boolean (true/false/yes/no/1/0), got "${raw}"` };
  }
  if (Array.isArray(def)) {
    return { ok: true, value: raw.split(',').map((s) => s.trim()).filter((s) => s !== '') };
  }
  return { ok: true, value: raw };
}

/**
 * The merged, not yet validated config plus where each node came from, so every error can name
 * the file, variable or flag the user has to fix. Null-prototype objects keep a TOML key like
 * `__proto__` an ordinary (unknown) key instead of touching Object.prototype.
 */
export class Layers {
  readonly root: Tree = Object.create(null) as Tree;
  private readonly origin = new Map<string, string>();

  set(segs: readonly string[], value: unknown, source: string): void {
    setIn(this.root, segs, value);
    this.origin.set(segs.join('.'), source);
  }

  /** Copies a parsed TOML table, recording the file as the origin of every table and leaf. */
  addTree(tree: Tree, source: string, prefix: string[] = []): void {
    for (const [k, v] of Object.entries(tree)) {
      const segs = [...prefix, k];
      if (isTree(v)) {
        this.set(segs, Object.create(null), source);
        this.addTree(v, source, segs);
      } else {
        this.set(segs, v, source);
      }
    }
  }

  /** Formats an error at `segs` (which may contain array indexes), naming its nearest origin. */
  error(segs: readonly (string | number)[], message: string): string {
    const keys = segs.filter((s): s is string => typeof s === 'string');
    let source = 'defaults';
    for (let n = keys.length; n > 0; n--) {
      const found = this.origin.get(keys.slice(0, n).join('.'));
      if (found !== undefined) {
        source = found;
        break;
      }
    }
    const label = segs.reduce<string>((acc, s) => (typeof s === 'number' ? `${acc}[${s}]` : acc ? `${acc}.${s}` : s), '');
    return `${label || '(root)'}: ${message} (from ${source})`;
  }
}

/** Config snapshots are shared by every connection; freezing them makes a stray write throw. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
