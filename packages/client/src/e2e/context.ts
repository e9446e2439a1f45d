import type { MlsContext } from '@parley/e2e';
import type { ChatMessage, CommandArgs, ReplyData, Verb } from '@parley/protocol';
import { ParleyClientError } from '../errors.ts';
import type { LoginKey } from '../key-login.ts';
import type { ClientEvents, Identity } from '../types.ts';
import type { Archive } from './archive.ts';
import type { ConversationStore } from './conversations.ts';
import type { LocalDevice } from './device-setup.ts';
import type { Gate, SerialQueues } from './serial.ts';
import type { E2eStorage } from './storage.ts';
import type { TrustStore } from './trust-store.ts';
import type { DirectoryCache } from './directory.ts';

/** What E2eClient uses of ParleyClient's public API. */
export interface E2eHost {
  readonly identity: Identity | undefined;
  request<TVerb extends Verb>(cmd: TVerb, args: CommandArgs<TVerb>): Promise<ReplyData[TVerb]>;
  on<TName extends keyof ClientEvents>(name: TName, listener: (value: ClientEvents[TName]) => void): () => void;
}

/** The few private abilities of ParleyClient the end-to-end layer needs (client.ts makes them). */
export interface E2eHooks {
  emit<TName extends keyof ClientEvents>(name: TName, value: ClientEvents[TName]): void;
  /** Moves the client's resume cursor over a message this device sent itself (as `send` does). */
  advance(conv: string, seq: number): void;
  /** Signs this connection's challenge for purpose `edevice` with the device key. */
  keyProof(key: LoginKey): Promise<{ key: string; signature: string }>;
}

export interface Self {
  name: string;
  /** As this server names the user (`a3`): what the directory, trust store and DM ids use. */
  userId: string;
  /** What this user's certificates name: the login's e2e_id (`a3@<server id>`) on a federating server, else userId (e2e-ids.ts). */
  certifiedId: string;
}

/** Everything the end-to-end modules share; one per E2eClient. */
export interface E2eEnv {
  readonly host: E2eHost;
  readonly hooks: E2eHooks;
  readonly storage: E2eStorage;
  readonly trust: TrustStore;
  readonly mls: MlsContext;
  readonly archive: Archive;
  readonly convs: ConversationStore;
  readonly queues: SerialQueues;
  readonly gate: Gate;
  readonly welcomes: WelcomeSignal;
  readonly directory: DirectoryCache;
  /** The logged-in user, and this login's device (after setup). */
  self(): Self;
  device(): LocalDevice;
}

/** Wakes a conversation's operation that waits for this device's Welcome. */
export class WelcomeSignal {
  private readonly waiters = new Map<string, (() => void)[]>();

  notify(conv: string): void {
    for (const wake of this.waiters.get(conv) ?? []) wake();
    this.waiters.delete(conv);
  }

  wait(conv: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const list = this.waiters.get(conv) ?? [];
      list.push(done);
      this.waiters.set(conv, list);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
    });
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function isClientError(error: unknown, ...names: string[]): error is ParleyClientError {
  return error instanceof ParleyClientError && (names.length === 0 || names.includes(error.errorName));
}

/** A request that failed because the connection did: worth doing again after the next login. */
export function isTransient(error: unknown): boolean {
  return isClientError(error, 'DISCONNECTED', 'TIMEOUT');
}

/** A request, waiting out rate limits: the end-to-end verbs count against the message rate. */
export async function call<TVerb extends Verb>(env: E2eEnv, cmd: TVerb, args: CommandArgs<TVerb>): Promise<ReplyData[TVerb]> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await env.host.request(cmd, args);
    } catch (error) {
      if (!isClientError(error, 'RATE_LIMITED') || attempt >= 20) throw error;
      await sleep(error.retryAfterMs ?? 1000);
    }
  }
}

/**
 * Runs `step` until it gets through a connection: a disconnect or a timeout waits for the next
 * login's setup and tries again (the step must be safe to repeat: commits stay pending and sends
 * keep their cmid). Other failures, and the client closing, end it.
 */
export async function withReconnect<T>(env: E2eEnv, step: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await step();
    } catch (error) {
      if (!isTransient(error)) throw error;
      // The disconnect may not have closed the gate yet: back off a little before waiting on it.
      await sleep(Math.min(2000, 50 * 2 ** Math.min(attempt, 6)));
      await env.gate.settled();
    }
  }
}

export function e2eFailure(error: unknown, what: string): ParleyClientError {
  if (error instanceof ParleyClientError) return error;
  const code = (error as { code?: unknown })?.code;
  const text = error instanceof Error ? error.message : String(error);
  return ParleyClientError.local('E2E_FAILED', `${what}: ${typeof code === 'string' ? `${code}: ` : ''}${text}`, { cause: error });
}

/** The code an e2e_error event reports for a failure. */
export function errorCode(error: unknown): string {
  if (error instanceof ParleyClientError) return error.errorName;
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' ? code : 'E2E_FAILED';
}

export function reportError(env: E2eEnv, error: unknown, where: { conv?: string; seq?: number }): void {
  const message = error instanceof Error ? error.message : String(error);
  env.hooks.emit('e2e_error', { ...where, code: errorCode(error), message });
}

export const isMls = (message: ChatMessage): boolean => message.kind === 'mls' || message.kind === 'mls_commit';

/** Server's dmConversation: `dm:<idA>:<idB>`, the ids sorted as strings. */
export function dmConversation(a: string, b: string): string {
  return a < b ? `dm:${a}:${b}` : `dm:${b}:${a}`;
}

/** Equality of public bytes (keys); not for secrets. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

export function peerIdOf(conv: string, selfId: string): string {
  const [, a = '', b = ''] = conv.split(':');
  return a === selfId ? b : a;
}
