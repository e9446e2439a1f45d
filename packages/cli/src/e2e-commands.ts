import type { ParleyClient } from '@parley/client';
import { nameKey } from '@parley/protocol';
import { verifyLines } from './e2e-text.ts';

/**
 * `/verify`, `/trust` and `/plain`, the same in both terminal clients. `target` is the person
 * of the DM window on screen (the full-screen UI), so `/verify` and `/plain text` need no name there.
 */
export interface E2eCommandContext {
  client: ParleyClient;
  target?: string | undefined;
  /** A line for the person (the conversation, or stdout); `tone` makes warnings stand out. */
  out(line: string, tone?: 'warn'): void;
  /** Sends in plaintext on purpose (`/plain`): the client shows it as unencrypted. */
  sendPlain(to: string, text: string): void;
  /** Trust in `name` changed (verified, accepted): indicators follow. */
  trustChanged?(name: string): void;
  /** Safety numbers shown, per person: `/verify name yes` confirms the number that was compared. */
  shown: Map<string, string>;
}

export const E2E_USAGE = {
  verify: '/verify [name] [yes]    compare safety numbers with someone; "yes" once they match',
  trust: '/trust name             accept someone\'s changed identity key (after /verify)',
  plain: '/plain [name] text      send a DM unencrypted on purpose (no name in a DM window)',
} as const;

/** The line client has no DM windows: its /plain always names the person. */
export const PLAIN_LINE_USAGE = '/plain name text        send a DM unencrypted on purpose';

const READY_WAIT_MS = 10_000;

/**
 * The session's e2e, set up: a number computed from a key the server refused (another install's
 * identity key) would not match the other person's, and look like an attack.
 */
async function readyE2e(ctx: E2eCommandContext) {
  const e2e = ctx.client.e2e;
  if (!e2e) throw new Error('end-to-end encryption is off in this session (--no-e2e)');
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('it is still being set up; try again in a moment')), READY_WAIT_MS)));
  try {
    await Promise.race([e2e.whenReady(), late]);
  } catch (error) {
    throw new Error(`end-to-end encryption is not working in this session: ${(error as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
  return e2e;
}

/** "/verify", "/verify bob", "/verify bob yes", "/verify yes" (in bob's window). */
function verifyArgs(ctx: E2eCommandContext, args: string): { name: string; confirm: boolean } {
  const words = args.trim().split(/\s+/).filter(Boolean);
  const confirm = words.length > 0 && /^(yes|y)$/i.test(words.at(-1)!) && (words.length > 1 || ctx.target !== undefined);
  const name = (confirm ? words.slice(0, -1) : words)[0] ?? ctx.target;
  if (!name) throw new Error(`usage: ${E2E_USAGE.verify.split(/\s{2,}/)[0]}`);
  return { name, confirm };
}

async function verify(ctx: E2eCommandContext, args: string): Promise<void> {
  const { name, confirm } = verifyArgs(ctx, args);
  const e2e = await readyE2e(ctx);
  const number = await e2e.safetyNumber(name);
  const key = nameKey(name);
  if (confirm && ctx.shown.get(key) === number) {
    await e2e.markVerified(name, number);
    ctx.trustChanged?.(name);
    ctx.out(`${name} is verified. If ${name}'s identity key ever changes, you will be warned.`);
    return;
  }
  if (confirm) ctx.out(ctx.shown.has(key) ? `${name}'s safety number changed since it was shown: compare this one.` : `Compare the number first:`, 'warn');
  ctx.shown.set(key, number);
  const verification = await e2e.verification(name);
  for (const line of verifyLines({ me: ctx.client.identity?.name ?? 'you', peer: name, number, verification })) ctx.out(line, verification === 'changed' ? 'warn' : undefined);
}

async function trust(ctx: E2eCommandContext, args: string): Promise<void> {
  const name = args.trim().split(/\s+/)[0] || ctx.target;
  if (!name) throw new Error(`usage: ${E2E_USAGE.trust.split(/\s{2,}/)[0]}`);
  const e2e = await readyE2e(ctx);
  if ((await e2e.verification(name)) !== 'changed') {
    ctx.out(`${name}'s identity key has not changed: nothing to accept. /verify ${name} compares safety numbers.`);
    return;
  }
  await e2e.acceptIdentity(name);
  ctx.trustChanged?.(name);
  ctx.out(`You accepted ${name}'s new identity key: messages to ${name} are encrypted for ${name}'s new devices. It is not verified: /verify ${name} to compare safety numbers.`);
}

function plain(ctx: E2eCommandContext, args: string): void {
  const text = args.trim();
  if (ctx.target !== undefined) {
    if (!text) throw new Error('usage: /plain text');
    ctx.sendPlain(ctx.target, text);
    return;
  }
  const [name = '', ...rest] = text.split(/\s+/);
  const body = text.slice(name.length).trim();
  if (!name || rest.length === 0) throw new Error('usage: /plain name text');
  ctx.sendPlain(name, body);
}

/** Runs one of the three; false when `word` is none of them. */
export async function runE2eCommand(ctx: E2eCommandContext, word: string, args: string): Promise<boolean> {
  if (word === 'verify') await verify(ctx, args);
  else if (word === 'trust') await trust(ctx, args);
  else if (word === 'plain') plain(ctx, args);
  else return false;
  return true;
}
