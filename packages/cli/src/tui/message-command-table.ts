import type { ParleyClientError } from '@parley/client';
import type { Conversation } from './conversations.ts';
import { messageVerbs, parseHandle, resolveHandle, searchResultText } from './message-commands.ts';
import type { TuiContext } from './tui-commands.ts';

type Handler = (ctx: TuiContext, args: string) => Promise<void>;
/** sendText of tui-commands.ts, passed in (it imports this table). */
export type SendReply = (ctx: TuiContext, target: string, input: { text: string; reply: number }) => void;

const SEARCH_SHOWN = 20;

function here(ctx: TuiContext): Conversation {
  const state = ctx.state();
  const conv = state.active ? state.convs[state.active] : undefined;
  if (!conv || conv.kind === 'status' || conv.kind === 'all') throw new Error('no conversation here: open a room or a DM first');
  return conv;
}

/** The message a command names in the conversation on screen, and that conversation. */
function target(ctx: TuiContext, args: string, mine: boolean) {
  const conv = here(ctx);
  const handle = parseHandle(args);
  const seq = resolveHandle(conv, handle, { me: ctx.state().me, mine });
  if (seq === undefined) throw new Error(mine ? 'no message of yours here to change' : 'no message here');
  return { conv, seq, rest: handle.rest };
}

interface Receipt {
  conv: string;
  seq: number;
  duplicate?: boolean;
}

/**
 * Runs a change and applies it here at its receipt: the server passes a change to every
 * connection but the one that made it (as a send's own echo is its receipt). A refusal says the
 * server's reason in the conversation ("NOT_YOUR_MESSAGE: …").
 */
async function changed(ctx: TuiContext, change: { to: string; ref: number; kind: 'edit' | 'redact' | 'react' | 'unreact'; text: string }, work: () => Promise<unknown>): Promise<void> {
  try {
    const receipt = (await work()) as Receipt | undefined;
    if (!receipt || receipt.duplicate || !receipt.seq) return;
    ctx.dispatch({ type: 'message', message: { conv: receipt.conv, seq: receipt.seq, from: ctx.state().me, to: change.to, text: change.text, ts: Date.now(), kind: change.kind, ref: change.ref } });
  } catch (error) {
    const failure = error as ParleyClientError;
    ctx.dispatch({ type: 'system', text: failure.errorName ? `${failure.errorName}: ${failure.message}` : failure.message, error: true });
  }
}

function reaction(remove: boolean): Handler {
  return async (ctx, args) => {
    const { conv, seq, rest } = target(ctx, args, false);
    if (!rest) throw new Error(`usage: /${remove ? 'unreact' : 'react'} [n] <emoji>`);
    const verbs = messageVerbs(ctx.client);
    await changed(ctx, { to: conv.label, ref: seq, kind: remove ? 'unreact' : 'react', text: rest }, () => (remove ? verbs.unreact(conv.label, seq, rest) : verbs.react(conv.label, seq, rest)));
  };
}

/** /edit … /unread, for LOCAL_COMMANDS. */
export function messageCommands(sendReply: SendReply): Record<string, { usage: string; run: Handler }> {
  return {
    edit: {
      usage: '/edit [n] [text]     edit your message n (default: your last); no text: into the input line',
      async run(ctx, args) {
        const { conv, seq, rest } = target(ctx, args, true);
        if (!rest) {
          const line = conv.lines.find((l) => l.seq === seq);
          ctx.fillInput(`/edit ${seq} ${line?.text ?? ''}`);
          return;
        }
        await changed(ctx, { to: conv.label, ref: seq, kind: 'edit', text: rest }, () => messageVerbs(ctx.client).edit(conv.label, seq, rest));
      },
    },
    delete: {
      usage: '/delete [n]          delete message n (default: your last)',
      async run(ctx, args) {
        const { conv, seq } = target(ctx, args, true);
        await changed(ctx, { to: conv.label, ref: seq, kind: 'redact', text: '' }, () => messageVerbs(ctx.client).redact(conv.label, seq));
      },
    },
    reply: {
      usage: '/reply [n] <text>    answer message n (default: the last one)',
      async run(ctx, args) {
        const { conv, seq, rest } = target(ctx, args, false);
        if (!rest) throw new Error('usage: /reply [n] <text>');
        sendReply(ctx, conv.label, { text: rest, reply: seq });
      },
    },
    react: { usage: '/react [n] <emoji>   react to message n (default: the last one)', run: reaction(false) },
    unreact: { usage: '/unreact [n] <emoji> take your reaction back', run: reaction(true) },
    search: {
      usage: '/search <words>      search your conversations (encrypted ones: on this device)',
      async run(ctx, args) {
        const words = args.trim();
        if (!words) throw new Error('usage: /search <words>');
        const verbs = messageVerbs(ctx.client);
        const me = ctx.state().me;
        const [server, local] = await Promise.all([verbs.search(words), verbs.searchArchive ? verbs.searchArchive(words).catch(() => []) : Promise.resolve([])]);
        const results = [...server, ...local].sort((a, b) => b.ts - a.ts);
        const scope = verbs.searchArchive ? 'encrypted conversations searched on this device only' : 'encrypted conversations not searched';
        ctx.dispatch({ type: 'system', text: `search "${words}": ${results.length} found (${scope})` });
        for (const message of results.slice(0, SEARCH_SHOWN)) ctx.dispatch({ type: 'system', text: searchResultText(message, me) });
        if (results.length > SEARCH_SHOWN) ctx.dispatch({ type: 'system', text: `… and ${results.length - SEARCH_SHOWN} more` });
      },
    },
    unread: {
      usage: '/unread              unread messages per conversation',
      async run(ctx) {
        const conversations = await messageVerbs(ctx.client).unread();
        ctx.dispatch({ type: 'unread-info', conversations });
        const some = conversations.filter((c) => c.unread > 0);
        if (some.length === 0) ctx.dispatch({ type: 'system', text: 'nothing unread' });
        for (const c of some) ctx.dispatch({ type: 'system', text: `${c.with}: ${c.unread >= 100 ? '100+' : c.unread} unread` });
      },
    },
  };
}
