import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { parse as parseToml, TomlError } from 'smol-toml';
import { validateRoomName, validateServerName } from '@parley/protocol';
import { ConfigSchema, type Config } from './schema.ts';
import { coerce, configKeyPaths, deepFreeze, envNameFor, getIn, Layers, setIn, type Tree } from './config-layers.ts';
import { parseHttpListenAddress, parseListenAddress, parsePeerAddress } from './listen-address.ts';

export { configKeyPaths, envNameFor } from './config-layers.ts';

export type ConfigResult = { ok: true; config: Config; sources: string[] } | { ok: false; errors: string[] };

export interface LoadConfigOptions {
  cwd: string;
  env: Record<string, string | undefined>;
  /** Explicit config file (from `--config`); relative paths resolve against `cwd`. */
  configPath?: string;
  /** Key path -> raw string, from CLI flags. Highest precedence. */
  overrides?: Record<string, string>;
}

/** PARLEY_* variables that are read by the CLI rather than mapping to a config key. */
const RESERVED_ENV = new Set(['PARLEY_CONFIG', 'PARLEY_PASSWORD']);
/** Keys holding filesystem paths; resolved against cwd so later chdir()s cannot change them. */
const PATH_KEYS = ['data_dir', 'tls.cert_file', 'tls.key_file', 'log.file', 'moderation.bans_file'] as const;

function readTomlFile(file: string, layers: Layers, errors: string[]): boolean {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    errors.push(code === 'ENOENT' ? `config file not found: ${file}` : `cannot read config file ${file}: ${(err as Error).message}`);
    return false;
  }
  try {
    layers.addTree(parseToml(text), file);
    return true;
  } catch (err) {
    if (err instanceof TomlError) {
      // smol-toml's message is "Invalid TOML document: <what>\n\n<code frame>"; keep only <what>.
      const what = (err.message.split('\n')[0] ?? '').replace(/^Invalid TOML document:\s*/, '');
      errors.push(`${file}:${err.line}:${err.column}: invalid TOML: ${what}`);
    } else {
      errors.push(`${file}: invalid TOML: ${(err as Error).message}`);
    }
    return false;
  }
}

type EnvVar = { value: string; source: string; dotenv: boolean };

/** `.env` first, then the real environment on top, so a deployment can override a checked-in .env. */
function collectEnv(cwd: string, env: LoadConfigOptions['env'], errors: string[]): { vars: Map<string, EnvVar>; dotenv?: string } {
  const vars = new Map<string, EnvVar>();
  const dotenv = path.join(cwd, '.env');
  let used = false;
  if (existsSync(dotenv)) {
    try {
      for (const [name, value] of Object.entries(parseEnv(readFileSync(dotenv, 'utf8')))) {
        if (value !== undefined) vars.set(name, { value, source: `${name} in ${dotenv}`, dotenv: true });
      }
      used = true;
    } catch (err) {
      errors.push(`cannot read ${dotenv}: ${(err as Error).message}`);
    }
  }
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined) vars.set(name, { value, source: name, dotenv: false });
  }
  return used ? { vars, dotenv } : { vars };
}

function semanticErrors(layers: Layers, tree: Tree): string[] {
  const errors: string[] = [];
  for (const [section, parse] of [['tcp', parseListenAddress], ['http', parseHttpListenAddress]] as const) {
    const list = getIn(tree, [section, 'listen']);
    if (!Array.isArray(list)) continue;
    list.forEach((entry: unknown, i) => {
      if (typeof entry !== 'string' || entry === '') return; // the schema reports these
      try {
        parse(entry);
      } catch (err) {
        errors.push(layers.error([section, 'listen', i], (err as Error).message));
      }
    });
  }
  federationErrors(layers, tree, errors);
  const rooms = getIn(tree, ['rooms', 'default']);
  if (Array.isArray(rooms)) {
    rooms.forEach((room: unknown, i) => {
      if (typeof room !== 'string' || room.length < 2) return;
      if (!room.startsWith('#')) {
        errors.push(layers.error(['rooms', 'default', i], `room "${room}" must start with '#'`));
        return;
      }
      // The server would reject the name when creating the room; fail at startup instead.
      try {
        validateRoomName(room);
      } catch (err) {
        errors.push(layers.error(['rooms', 'default', i], (err as Error).message));
      }
    });
  }
  // The HTTP/TLS listeners need both halves of a key pair; one alone is always a mistake.
  const cert = getIn(tree, ['tls', 'cert_file']);
  const key = getIn(tree, ['tls', 'key_file']);
  const hasCert = typeof cert === 'string' && cert !== '';
  const hasKey = typeof key === 'string' && key !== '';
  if (hasCert !== hasKey) {
    const [set, missing] = hasCert ? ['cert_file', 'key_file'] : ['key_file', 'cert_file'];
    errors.push(layers.error(['tls', set], `tls.${missing} must be set too (a certificate needs its key)`));
  }
  return errors;
}

function load(options: LoadConfigOptions): ConfigResult {
  const { cwd } = options;
  const errors: string[] = [];
  const sources: string[] = ['defaults'];
  const layers = new Layers();
  const keyPaths = new Set(configKeyPaths());
  const byEnvName = new Map([...keyPaths].map((p) => [envNameFor(p), p]));
  const apply = (keyPath: string, raw: string, source: string): void => {
    const c = coerce(keyPath, raw);
    if (c.ok) layers.set(keyPath.split('.'), c.value, source);
    else errors.push(`${keyPath}: ${c.message} (from ${source})`);
  };

  // .env is read before locating the file so PARLEY_CONFIG may live in it.
  const { vars, dotenv } = collectEnv(cwd, options.env, errors);

  const explicit = options.configPath ?? (vars.get('PARLEY_CONFIG')?.value || undefined);
  const implicit = path.join(cwd, 'parley.toml');
  const file = explicit !== undefined ? path.resolve(cwd, explicit) : existsSync(implicit) ? implicit : undefined;
  if (file !== undefined && readTomlFile(file, layers, errors)) sources.push(file);
  if (dotenv !== undefined) sources.push(dotenv);

  let fromEnv = false;
  for (const name of [...vars.keys()].sort()) {
    if (!name.startsWith('PARLEY_') || RESERVED_ENV.has(name)) continue;
    const keyPath = byEnvName.get(name);
    const v = vars.get(name);
    if (v === undefined) continue;
    if (keyPath === undefined) {
      errors.push(`unknown environment variable ${name}${v.dotenv ? ` (in ${dotenv})` : ''}`);
      continue;
    }
    apply(keyPath, v.value, v.source);
    if (!v.dotenv) fromEnv = true;
  }
  if (fromEnv) sources.push('env');

  const overrides = Object.entries(options.overrides ?? {});
  for (const [keyPath, raw] of overrides) {
    if (!keyPaths.has(keyPath)) {
      errors.push(`${keyPath}: unknown config key (from flag)`);
      continue;
    }
    apply(keyPath, raw, 'flag');
  }
  if (overrides.length > 0) sources.push('flags');

  const parsed = ConfigSchema.safeParse(layers.root);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const segs = issue.path.map((s) => (typeof s === 'symbol' ? String(s) : s));
      if (issue.code === 'unrecognized_keys') {
        for (const k of issue.keys) errors.push(layers.error([...segs, k], 'unknown key'));
      } else {
        errors.push(layers.error(segs, issue.message));
      }
    }
  }
  errors.push(...semanticErrors(layers, layers.root));
  if (!parsed.success || errors.length > 0) return { ok: false, errors };

  for (const keyPath of PATH_KEYS) {
    const segs = keyPath.split('.');
    const value = getIn(parsed.data, segs);
    if (typeof value === 'string' && value !== '') setIn(parsed.data, segs, path.resolve(cwd, value));
  }
  return { ok: true, config: deepFreeze(parsed.data), sources };
}

/**
 * Builds the immutable config snapshot from defaults < TOML file < .env < PARLEY_* env < flags.
 * Never throws: every problem, from every layer, comes back in one list so a bad deployment is
 * fixed in one round trip rather than one error per restart.
 */
export function loadConfig(options: LoadConfigOptions): ConfigResult {
  try {
    return load(options);
  } catch (err) {
    return { ok: false, errors: [`unexpected error while loading configuration: ${(err as Error).message}`] };
  }
}

/** Federation listeners are TLS only; peers are "[id@]host:port"; a federating server's name is a server name. */
function federationErrors(layers: Layers, tree: Tree, errors: string[]): void {
  const listen = getIn(tree, ['federation', 'listen']);
  if (Array.isArray(listen)) {
    listen.forEach((entry: unknown, i) => {
      if (typeof entry !== 'string' || entry === '') return;
      try {
        if (!parseListenAddress(entry).tls) errors.push(layers.error(['federation', 'listen', i], `federation links are always TLS: write "${entry.replace(/^tcp:\/\//, '')}"`));
      } catch (err) {
        errors.push(layers.error(['federation', 'listen', i], (err as Error).message));
      }
    });
  }
  const peers = getIn(tree, ['federation', 'peers']);
  if (Array.isArray(peers)) {
    peers.forEach((entry: unknown, i) => {
      if (typeof entry !== 'string' || entry === '') return;
      try {
        parsePeerAddress(entry);
      } catch (err) {
        errors.push(layers.error(['federation', 'peers', i], (err as Error).message));
      }
    });
  }
  const name = getIn(tree, ['server_name']);
  if (getIn(tree, ['federation', 'enabled']) === true && typeof name === 'string') {
    try {
      validateServerName(name);
    } catch (err) {
      errors.push(layers.error(['server_name'], `a federating server's name is how others address it (alice@${name}): ${(err as Error).message}`));
    }
  }
}
