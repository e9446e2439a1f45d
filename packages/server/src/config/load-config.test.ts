import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG_TOML } from './default-config.ts';
import { configKeyPaths, envNameFor, loadConfig, type ConfigResult } from './load-config.ts';
import { ConfigSchema, type Config } from './schema.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A fresh working directory holding the given files. */
function workdir(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'parley-config-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

function ok(result: ConfigResult): Config {
  if (!result.ok) throw new Error(`expected config to load, got:\n${result.errors.join('\n')}`);
  return result.config;
}

function errors(result: ConfigResult): string[] {
  if (result.ok) throw new Error('expected config errors');
  return result.errors;
}

describe('key paths and env names', () => {
  it('walks the defaults into leaf paths', () => {
    const paths = configKeyPaths();
    expect(paths).toContain('data_dir');
    expect(paths).toContain('tcp.listen');
    expect(paths).toContain('limits.max_frame_bytes');
    expect(paths).not.toContain('limits');
    expect(new Set(paths).size).toBe(paths.length);
  });

  it('derives env names', () => {
    expect(envNameFor('data_dir')).toBe('PARLEY_DATA_DIR');
    expect(envNameFor('tcp.listen')).toBe('PARLEY_TCP_LISTEN');
    expect(envNameFor('limits.max_frame_bytes')).toBe('PARLEY_LIMITS_MAX_FRAME_BYTES');
  });
});

describe('loadConfig layering', () => {
  it('yields the defaults, with paths made absolute, when nothing is set', () => {
    const cwd = workdir();
    const result = loadConfig({ cwd, env: {} });
    const config = ok(result);
    const defaults = ConfigSchema.parse({});
    expect(config).toEqual({ ...defaults, data_dir: path.join(cwd, 'data') });
    expect(result.ok && result.sources).toEqual(['defaults']);
  });

  it('reads parley.toml from cwd', () => {
    const cwd = workdir({
      'parley.toml': 'server_name = "alpha"\n[limits]\nmax_recipients = 5\n[log]\nfile = "logs/p.log"\n',
    });
    const result = loadConfig({ cwd, env: {} });
    const config = ok(result);
    expect(config.server_name).toBe('alpha');
    expect(config.limits.max_recipients).toBe(5);
    expect(config.limits.max_connections).toBe(10000);
    expect(config.log.file).toBe(path.join(cwd, 'logs/p.log'));
    expect(result.ok && result.sources).toEqual(['defaults', path.join(cwd, 'parley.toml')]);
  });

  it('prefers configPath, then PARLEY_CONFIG, over cwd/parley.toml', () => {
    const cwd = workdir({ 'parley.toml': 'motd = "cwd"\n', 'a.toml': 'motd = "a"\n', 'b.toml': 'motd = "b"\n' });
    expect(ok(loadConfig({ cwd, env: { PARLEY_CONFIG: 'b.toml' }, configPath: 'a.toml' })).motd).toBe('a');
    expect(ok(loadConfig({ cwd, env: { PARLEY_CONFIG: path.join(cwd, 'b.toml') } })).motd).toBe('b');
    expect(ok(loadConfig({ cwd, env: {} })).motd).toBe('cwd');
  });

  it('lets env override the file and flags override env', () => {
    const cwd = workdir({ 'parley.toml': 'server_name = "file"\nmotd = "file"\n[log]\nlevel = "warn"\n' });
    const env = { PARLEY_SERVER_NAME: 'env', PARLEY_LOG_LEVEL: 'debug' };
    const config = ok(loadConfig({ cwd, env, overrides: { 'log.level': 'trace' } }));
    expect(config.motd).toBe('file');
    expect(config.server_name).toBe('env');
    expect(config.log.level).toBe('trace');
  });

  it('reads .env, and the real environment beats it', () => {
    const cwd = workdir({
      'parley.toml': 'motd = "file"\nserver_name = "file"\n',
      '.env': '# comment\nPARLEY_MOTD="from dotenv"\nPARLEY_SERVER_NAME=dotenv\nOTHER_TOOL=ignored\n',
    });
    const result = loadConfig({ cwd, env: { PARLEY_SERVER_NAME: 'real' } });
    const config = ok(result);
    expect(config.motd).toBe('from dotenv');
    expect(config.server_name).toBe('real');
    expect(result.ok && result.sources).toEqual(['defaults', path.join(cwd, 'parley.toml'), path.join(cwd, '.env'), 'env']);
  });

  it('coerces numbers, booleans and lists (including IPv6) from strings', () => {
    const cwd = workdir();
    const config = ok(
      loadConfig({
        cwd,
        env: {
          PARLEY_LIMITS_MAX_FRAME_BYTES: ' 4096 ',
          PARLEY_ACCOUNTS_ALLOW_GUESTS: 'no',
          PARLEY_ROOMS_DEFAULT: '#a, #b,,',
          PARLEY_HTTP_LISTEN: '',
        },
        overrides: { 'tcp.listen': '127.0.0.1:0,[::1]:0, tcp://[::]:12345', 'history.page_size': '7' },
      }),
    );
    expect(config.limits.max_frame_bytes).toBe(4096);
    expect(config.accounts.allow_guests).toBe(false);
    expect(config.rooms.default).toEqual(['#a', '#b']);
    expect(config.http.listen).toEqual([]);
    expect(config.tcp.listen).toEqual(['127.0.0.1:0', '[::1]:0', 'tcp://[::]:12345']);
    expect(config.history.page_size).toBe(7);
    for (const yes of ['true', 'YES', '1']) {
      expect(ok(loadConfig({ cwd, env: { PARLEY_ACCOUNTS_ALLOW_GUESTS: yes } })).accounts.allow_guests).toBe(true);
    }
  });

  it('returns a deeply frozen snapshot', () => {
    const config = ok(loadConfig({ cwd: workdir(), env: {} }));
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.limits)).toBe(true);
    expect(Object.isFrozen(config.tcp.listen)).toBe(true);
    expect(() => (config.tcp.listen as string[]).push('x')).toThrow();
  });

  it('resolves tls paths against cwd', () => {
    const cwd = workdir({ 'parley.toml': '[tls]\ncert_file = "certs/c.pem"\nkey_file = "/abs/k.pem"\n' });
    const config = ok(loadConfig({ cwd, env: {}, overrides: { data_dir: '../state' } }));
    expect(config.tls.cert_file).toBe(path.join(cwd, 'certs/c.pem'));
    expect(config.tls.key_file).toBe('/abs/k.pem');
    expect(config.data_dir).toBe(path.resolve(cwd, '../state'));
  });
});

describe('loadConfig errors', () => {
  it('reports every error together, with key paths and sources', () => {
    const cwd = workdir({ 'parley.toml': '[limits]\nmax_frame_bytes = 10\n[log]\nlevel = "loud"\n' });
    const file = path.join(cwd, 'parley.toml');
    const errs = errors(
      loadConfig({ cwd, env: { PARLEY_LIMITS_MAX_RECIPIENTS: 'many', PARLEY_HISTORY_PAGE_SIZE: '500' }, overrides: { motd: 'x'.repeat(1001) } }),
    );
    expect(errs).toHaveLength(5);
    expect(errs).toContainEqual(expect.stringMatching(new RegExp(`^limits\\.max_frame_bytes: .*512.* \\(from ${file}\\)$`)));
    expect(errs).toContainEqual(expect.stringMatching(new RegExp(`^log\\.level: .* \\(from ${file}\\)$`)));
    expect(errs).toContain('limits.max_recipients: expected a number, got "many" (from PARLEY_LIMITS_MAX_RECIPIENTS)');
    expect(errs).toContainEqual(expect.stringMatching(/^history\.page_size: .*200.* \(from PARLEY_HISTORY_PAGE_SIZE\)$/));
    expect(errs).toContainEqual(expect.stringMatching(/^motd: .* \(from flag\)$/));
  });

  it('rejects unknown keys in the file, including unknown tables', () => {
    const cwd = workdir({ 'parley.toml': 'data_dri = "x"\n[tcp]\nlisten = []\nlisen = []\n[bogus]\na = 1\n' });
    const file = path.join(cwd, 'parley.toml');
    expect(errors(loadConfig({ cwd, env: {} })).sort()).toEqual(
      [`bogus: unknown key (from ${file})`, `data_dri: unknown key (from ${file})`, `tcp.lisen: unknown key (from ${file})`].sort(),
    );
  });

  it('rejects unknown PARLEY_ variables but allows PARLEY_CONFIG and PARLEY_PASSWORD', () => {
    const cwd = workdir({ '.env': 'PARLEY_FROM_DOTENV=1\n', 'p.toml': '' });
    const errs = errors(
      loadConfig({ cwd, env: { PARLEY_TCP_LISTN: 'x', PARLEY_PASSWORD: 'secret', PARLEY_CONFIG: 'p.toml', HOME: '/home/x' } }),
    );
    expect(errs).toEqual([
      `unknown environment variable PARLEY_FROM_DOTENV (in ${path.join(cwd, '.env')})`,
      'unknown environment variable PARLEY_TCP_LISTN',
    ]);
  });

  it('rejects unknown override keys and bad booleans', () => {
    const errs = errors(loadConfig({ cwd: workdir(), env: {}, overrides: { 'tcp.port': '1', 'accounts.allow_guests': 'maybe' } }));
    expect(errs).toEqual([
      'tcp.port: unknown config key (from flag)',
      'accounts.allow_guests: expected a boolean (true/false/yes/no/1/0), got "maybe" (from flag)',
    ]);
  });

  it('fails when an explicitly named file is missing', () => {
    const cwd = workdir();
    expect(errors(loadConfig({ cwd, env: {}, configPath: 'nope.toml' }))).toEqual([`config file not found: ${path.join(cwd, 'nope.toml')}`]);
    expect(errors(loadConfig({ cwd, env: { PARLEY_CONFIG: '/no/such/parley.toml' } }))).toEqual(['config file not found: /no/such/parley.toml']);
  });

  it('reports TOML syntax errors with file name and line, alongside other errors', () => {
    const cwd = workdir({ 'bad.toml': 'motd = "ok"\nserver_name = = "x"\n' });
    const errs = errors(loadConfig({ cwd, env: { PARLEY_LIMITS_MAX_CONNECTIONS: 'lots' }, configPath: 'bad.toml' }));
    expect(errs).toHaveLength(2);
    expect(errs[0]).toMatch(new RegExp(`^${path.join(cwd, 'bad.toml')}:2:\\d+: invalid TOML: `));
    expect(errs[1]).toMatch(/^limits\.max_connections: /);
  });

  it('checks listen addresses, room names and the TLS key pair', () => {
    const cwd = workdir({ 'parley.toml': '[rooms]\ndefault = ["#ok", "lobby", "#bad room"]\n[tls]\ncert_file = "c.pem"\n' });
    const file = path.join(cwd, 'parley.toml');
    const errs = errors(loadConfig({ cwd, env: { PARLEY_TCP_LISTEN: '127.0.0.1:1,::1:2' }, overrides: { 'http.listen': 'localhost' } }));
    expect(errs).toEqual([
      expect.stringMatching(/^tcp\.listen\[1\]: invalid listen address "::1:2": .*brackets.* \(from PARLEY_TCP_LISTEN\)$/),
      expect.stringMatching(/^http\.listen\[0\]: invalid listen address "localhost": .* \(from flag\)$/),
      `rooms.default[1]: room "lobby" must start with '#' (from ${file})`,
      expect.stringMatching(new RegExp(`^rooms\\.default\\[2\\]: Invalid room "#bad room".* \\(from ${file}\\)$`)),
      `tls.cert_file: tls.key_file must be set too (a certificate needs its key) (from ${file})`,
    ]);
  });

  it('takes only ws:// and wss:// URLs as http.failover_urls, naming each one refused', () => {
    const cwd = workdir({ 'parley.toml': '[http]\nfailover_urls = ["wss://node2.example.org:8443/ws", "https://node3.example.org/ws", "node4:8080"]\n' });
    const file = path.join(cwd, 'parley.toml');
    expect(errors(loadConfig({ cwd, env: {} }))).toEqual([
      `http.failover_urls[1]: expected a ws:// or wss:// URL such as "wss://node2.example.org:8443/ws", got "https://node3.example.org/ws" (from ${file})`,
      `http.failover_urls[2]: expected a ws:// or wss:// URL such as "wss://node2.example.org:8443/ws", got "node4:8080" (from ${file})`,
    ]);
    expect(errors(loadConfig({ cwd: workdir(), env: { PARLEY_HTTP_FAILOVER_URLS: 'ws://' } }))).toEqual([
      'http.failover_urls[0]: expected a ws:// or wss:// URL such as "wss://node2.example.org:8443/ws", got "ws://" (from PARLEY_HTTP_FAILOVER_URLS)',
    ]);
    const config = ok(loadConfig({ cwd: workdir(), env: { PARLEY_HTTP_FAILOVER_URLS: 'wss://n2.example.org/ws, ws://10.0.0.3:8080/ws' } }));
    expect(config.http.failover_urls).toEqual(['wss://n2.example.org/ws', 'ws://10.0.0.3:8080/ws']);
  });

  it('never throws, even on a hostile file', () => {
    const cwd = workdir({ 'parley.toml': '__proto__ = { polluted = true }\n' });
    expect(errors(loadConfig({ cwd, env: {} }))).toEqual([`__proto__: unknown key (from ${path.join(cwd, 'parley.toml')})`]);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('reference documentation', () => {
  it('DEFAULT_CONFIG_TOML parses to exactly the schema defaults', () => {
    const parsed = parseToml(DEFAULT_CONFIG_TOML);
    expect(ConfigSchema.parse(parsed)).toEqual(ConfigSchema.parse({}));
    // Every key is written out, so the file is complete documentation rather than relying on defaults.
    expect(ConfigSchema.parse(parsed)).toEqual(parsed);
  });

  it('DEFAULT_CONFIG_TOML loads cleanly as a config file', () => {
    const cwd = workdir({ 'parley.toml': DEFAULT_CONFIG_TOML });
    expect(ok(loadConfig({ cwd, env: {} }))).toEqual({ ...ConfigSchema.parse({}), data_dir: path.join(cwd, 'data') });
  });

  it('documents every key in DEFAULT_CONFIG_TOML and docs/configuration.md', () => {
    const doc = readFileSync(new URL('../../../../docs/configuration.md', import.meta.url), 'utf8');
    const parsed = parseToml(DEFAULT_CONFIG_TOML) as Record<string, unknown>;
    for (const keyPath of configKeyPaths()) {
      const segs = keyPath.split('.');
      const leaf = segs.reduce<unknown>((node, s) => (node as Record<string, unknown> | undefined)?.[s], parsed);
      expect(leaf, `${keyPath} written in DEFAULT_CONFIG_TOML`).toBeDefined();
      expect(DEFAULT_CONFIG_TOML, `${keyPath} env name in DEFAULT_CONFIG_TOML`).toContain(`# env: ${envNameFor(keyPath)}\n`);
      expect(doc, `${keyPath} in docs/configuration.md`).toContain(`\`${keyPath}\``);
      expect(doc, `${keyPath} env name in docs/configuration.md`).toContain(`\`${envNameFor(keyPath)}\``);
    }
  });
});
