import { existsSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { isDurationWord, parseDuration } from '@parley/protocol';
import { canDisable, createLogger, loadConfig, nameKeyOf, openConfiguredStore, parseBanTarget, SERVER_SCOPE, type Config, type Store } from '@parley/server';
import { adminPeers, liveOnly } from './admin-peers.ts';

const USAGE = `parley admin — manage a Parley server from its machine (works while it runs)

Usage: parley admin [--data-dir DIR | --config FILE] <command>
  grant <name> <operator|owner>    give an account a server role
  revoke <name>                    take it back (the account becomes a plain user)
  roles                            list accounts with a role
  ban <name|ip|cidr|key:fp> [duration] [reason]    server ban (duration: 30s 10m 2h 7d 1w)
  unban <name|ip|cidr|key:fp>
  bans                             list bans in force
  disable <command> | enable <command>
  audit [--limit N]                the audit log, newest first
  peers                            the federation servers this one knows (from its database)
  reload                           make the running server reload its configuration (SIGHUP)

Changes are written to the database; the running server notices them within
moderation.sync_interval_ms (2 s by default) and applies bans to live connections at once.
Federation links are the running server's: connect and disconnect are console and
operator commands (CONNECT <host> <port>, DISCONNECT <server>), not admin ones.
`;

function actor(): string {
  try {
    return `admin:${userInfo().username}`;
  } catch {
    return 'admin';
  }
}

const iso = (ms: number | null) => (ms === null ? 'permanent' : new Date(ms).toISOString());

/** The store the configuration names: the data dir's SQLite file, or a cluster's PostgreSQL. */
async function withStore<T>(config: Config, fn: (store: Store) => Promise<T>): Promise<T> {
  if (config.store === 'sqlite') {
    const file = join(config.data_dir, 'parley.db');
    if (!existsSync(file)) throw new Error(`no Parley database at ${file} (use --data-dir or --config)`);
  }
  // Errors reach the user as this command's message; the store's own log would only repeat them.
  const store = await openConfiguredStore(config, createLogger({ log: { level: 'silent', file: '' } }));
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

async function account(store: Store, name: string) {
  const found = await store.findAccount(nameKeyOf(name));
  if (!found) throw new Error(`no account named ${name}`);
  return found;
}

type Run = (store: Store, args: string[], out: (line: string) => void) => Promise<void>;

const COMMANDS: Record<string, { min: number; run: Run }> = {
  grant: {
    min: 2,
    async run(store, [name = '', role = ''], out) {
      if (role !== 'operator' && role !== 'owner') throw new Error('the role is operator or owner');
      const found = await account(store, name);
      await store.setServerRole(found.id, role, actor());
      await store.appendAudit({ at: Date.now(), actor: actor(), action: 'role.grant', target: found.name, detail: role });
      out(`${found.name} is now ${role}`);
    },
  },
  revoke: {
    min: 1,
    async run(store, [name = ''], out) {
      const found = await account(store, name);
      await store.setServerRole(found.id, null, actor());
      await store.appendAudit({ at: Date.now(), actor: actor(), action: 'role.revoke', target: found.name, detail: 'user' });
      out(`${found.name} is now a plain user`);
    },
  },
  roles: {
    min: 0,
    async run(store, _args, out) {
      for (const r of await store.listServerRoles()) out(`${r.name} ${r.role} (by ${r.grantedBy} at ${iso(r.grantedAt)})`);
    },
  },
  ban: {
    min: 1,
    async run(store, [target = '', ...rest], out) {
      const { kind, value } = parseBanTarget(target);
      const hasDuration = isDurationWord(rest[0]);
      const duration = parseDuration(hasDuration ? rest[0] : undefined);
      const reason = rest.slice(hasDuration ? 1 : 0).join(' ');
      const ban = await store.addBan({ scope: SERVER_SCOPE, kind, value, reason, createdBy: actor(), expiresAt: duration === null ? null : Date.now() + duration });
      await store.appendAudit({ at: Date.now(), actor: actor(), action: 'ban', target: `${SERVER_SCOPE} ${kind} ${value}`, detail: JSON.stringify({ reason, expires: ban.expiresAt }) });
      out(`banned ${kind} ${value} ${ban.expiresAt === null ? 'permanent' : `until ${iso(ban.expiresAt)}`}`);
    },
  },
  unban: {
    min: 1,
    async run(store, [target = ''], out) {
      const { kind, value } = parseBanTarget(target);
      if (!(await store.removeBan(SERVER_SCOPE, kind, value))) throw new Error(`no server ban of ${kind} ${value}`);
      await store.appendAudit({ at: Date.now(), actor: actor(), action: 'unban', target: `${SERVER_SCOPE} ${kind} ${value}`, detail: '' });
      out(`unbanned ${kind} ${value}`);
    },
  },
  bans: {
    min: 0,
    async run(store, _args, out) {
      for (const b of await store.listBans({ now: Date.now() })) {
        out(`${b.scope} ${b.kind} ${b.value} by ${b.createdBy} at ${iso(b.createdAt)} ${b.expiresAt === null ? 'permanent' : `until ${iso(b.expiresAt)}`}${b.reason ? ` ${b.reason}` : ''}`);
      }
    },
  },
  disable: {
    min: 1,
    async run(store, [verb = ''], out) {
      if (!canDisable(verb.toLowerCase())) throw new Error(`"${verb}" is not a command that can be disabled`);
      await store.setCommandDisabled(verb.toLowerCase(), true, actor());
      await store.appendAudit({ at: Date.now(), actor: actor(), action: 'command.disable', target: verb.toLowerCase(), detail: '' });
      out(`disabled ${verb.toLowerCase()}`);
    },
  },
  enable: {
    min: 1,
    async run(store, [verb = ''], out) {
      await store.setCommandDisabled(verb.toLowerCase(), false, actor());
      await store.appendAudit({ at: Date.now(), actor: actor(), action: 'command.enable', target: verb.toLowerCase(), detail: '' });
      out(`enabled ${verb.toLowerCase()}`);
    },
  },
};

/** `parley admin …`: returns the exit code. */
export async function admin(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { 'data-dir': { type: 'string' }, config: { type: 'string' }, limit: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
    });
  } catch (error) {
    process.stderr.write(`parley admin: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const [command, ...args] = parsed.positionals;
  if (!command || parsed.values.help) {
    process.stdout.write(USAGE);
    return command || parsed.values.help ? 0 : 2;
  }
  if (command === 'connect' || command === 'disconnect') {
    process.stderr.write(`parley admin ${command}: ${liveOnly(command)}\n`);
    return 2;
  }
  const loaded = loadConfig({
    cwd: process.env.INIT_CWD ?? process.cwd(),
    env: process.env,
    overrides: parsed.values['data-dir'] ? { data_dir: parsed.values['data-dir'] } : {},
    ...(parsed.values.config ? { configPath: parsed.values.config } : {}),
  });
  if (!loaded.ok) {
    process.stderr.write(`parley admin: the configuration has errors:\n${loaded.errors.map((e) => `  - ${e}`).join('\n')}\n`);
    return 78;
  }
  const dataDir = loaded.config.data_dir;
  const out = (line: string) => process.stdout.write(`${line}\n`);
  try {
    if (command === 'reload') return reload(dataDir, out);
    if (command === 'peers') {
      await withStore(loaded.config, (store) => adminPeers(loaded.config, store, out));
      return 0;
    }
    if (command === 'audit') {
      const limit = Number(parsed.values.limit ?? 50);
      await withStore(loaded.config, async (store) => {
        for (const e of await store.listAudit({ limit: Number.isInteger(limit) && limit > 0 ? limit : 50 })) {
          out(`${e.id} ${iso(e.at)} ${e.actor} ${e.action} ${e.target} ${e.detail}`.trimEnd());
        }
      });
      return 0;
    }
    const spec = COMMANDS[command];
    if (!spec) {
      process.stderr.write(`parley admin: unknown command "${command}"\n\n${USAGE}`);
      return 2;
    }
    if (args.length < spec.min) {
      process.stderr.write(`parley admin ${command}: missing arguments\n\n${USAGE}`);
      return 2;
    }
    await withStore(loaded.config, (store) => spec.run(store, args, out));
    return 0;
  } catch (error) {
    process.stderr.write(`parley admin ${command}: ${(error as Error).message}\n`);
    return 1;
  }
}

/** The running server wrote its pid next to the database; SIGHUP makes it reload. */
function reload(dataDir: string, out: (line: string) => void): number {
  const pidFile = join(dataDir, 'parley.pid');
  if (!existsSync(pidFile)) throw new Error(`no running server found (${pidFile} is missing)`);
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`${pidFile} does not hold a process id`);
  process.kill(pid, 'SIGHUP');
  out(`asked server process ${pid} to reload`);
  return 0;
}
