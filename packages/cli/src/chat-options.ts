import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { parseServerUrl, type Credentials, type TransportFactory } from '@parley/client';
import { KnownHosts, nodeTransport, readLoginKeyFile, type PeerCertificateInfo, type TrustReason } from '@parley/client/node';
import { keyFile } from './keys.ts';

export const CHAT_USAGE =
  'usage: parley chat [--plain] <tls://host:port | wss://host:port/ws | ws://host:port/ws>... [--name N] [--password P | --key K] [--register] [--accept-new] [--known-hosts FILE] [--room #r] [--no-e2e | --reset-identity] [--no-bell]';

/** The options `parley chat` takes, shared by the line client and the terminal UI. */
export interface ChatOptions {
  /** The server's addresses: several (its nodes) to fail over between, in the order given. */
  urls: string[];
  plain: boolean;
  credentials: Credentials;
  acceptNew: boolean;
  knownHostsFile: string | undefined;
  room: string;
  /** End-to-end encrypted DMs (on unless `--no-e2e`). */
  e2e: boolean;
  /** `--reset-identity`: the server takes this install's identity key in place of the one it has (every contact is warned). */
  resetIdentity: boolean;
  /** The terminal UI rings the bell for a mention or a DM in a conversation not on screen (off with `--no-bell`). */
  bell: boolean;
}

/** Parses `parley chat` arguments; a string is the message for a usage error (exit status 2). */
export function parseChatOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): ChatOptions | string {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        plain: { type: 'boolean', default: false },
        name: { type: 'string' },
        password: { type: 'string' },
        /** A key name from `parley keys`, or a key file's path. */
        key: { type: 'string' },
        register: { type: 'boolean', default: false },
        'accept-new': { type: 'boolean', default: false },
        'known-hosts': { type: 'string' },
        room: { type: 'string', default: '#general' },
        'no-e2e': { type: 'boolean', default: false },
        'reset-identity': { type: 'boolean', default: false },
        'no-bell': { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    return `parley chat: ${(error as Error).message}\n${CHAT_USAGE}`;
  }
  const { values, positionals } = parsed;
  // Several addresses as several arguments or one comma-separated list.
  const urls = positionals.flatMap((p) => p.split(',')).map((p) => p.trim()).filter((p) => p !== '');
  if (urls.length === 0) return CHAT_USAGE;
  for (const url of urls) {
    try {
      parseServerUrl(url);
    } catch (error) {
      return `parley chat: ${(error as Error).message}\n${CHAT_USAGE}`;
    }
  }
  if (values['no-e2e'] && values['reset-identity']) return 'parley chat: --reset-identity replaces your end-to-end identity key; it does nothing with --no-e2e';
  const common = { urls, plain: values.plain, acceptNew: values['accept-new'], knownHostsFile: values['known-hosts'], room: values.room, e2e: !values['no-e2e'], resetIdentity: values['reset-identity'], bell: !values['no-bell'] };
  if (values.key !== undefined) {
    if (!values.name) return 'parley chat: --key needs --name (the account it signs in to)';
    if (values.password !== undefined) return 'parley chat: give --key or --password, not both';
    let key;
    try {
      key = readLoginKeyFile(keyFile(values.key, env));
    } catch (error) {
      return `parley chat: ${(error as Error).message}`;
    }
    const credentials: Credentials = { kind: 'key', name: values.name, key, ...(values.register ? { register: true } : {}) };
    return { ...common, credentials };
  }
  const password = values.password ?? env.PARLEY_PASSWORD;
  if (values.register && (!values.name || !password)) return 'parley chat: --register needs --name and --password (or PARLEY_PASSWORD), or --key';
  const credentials: Credentials = password
    ? { kind: values.register ? 'register' : 'login', name: values.name ?? '', password }
    : { kind: 'guest', ...(values.name ? { name: values.name } : {}) };
  if (credentials.kind === 'guest' && values['reset-identity']) return 'parley chat: --reset-identity is for accounts (a guest gets a new identity key every session)';
  return { ...common, credentials };
}

/** Asks on the terminal, like SSH's first-contact question. */
export function askYesNo(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  return new Promise((resolve) => rl.question(question, (answer) => (rl.close(), resolve(/^y(es)?$/i.test(answer.trim())))));
}

export const firstContactQuestion = (peer: PeerCertificateInfo) =>
  `The server ${peer.hostPort} is new. Its certificate fingerprint is\n  ${peer.fingerprint}\nTrust it? [y/N] `;

/**
 * The Node transport with known-hosts pinning: `--accept-new` trusts first contact, a terminal
 * is asked, anything else refuses an unknown server (HOST_UNKNOWN).
 */
export function chatTransport(options: ChatOptions, onTrusted?: (peer: PeerCertificateInfo, how: TrustReason) => void): TransportFactory {
  return nodeTransport({
    acceptNew: options.acceptNew,
    ...(options.knownHostsFile ? { knownHosts: new KnownHosts(options.knownHostsFile) } : {}),
    ...(process.stdin.isTTY ? { confirmNew: (peer) => askYesNo(firstContactQuestion(peer)) } : {}),
    ...(onTrusted ? { onTrusted } : {}),
  });
}
