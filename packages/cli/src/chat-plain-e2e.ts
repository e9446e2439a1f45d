import type { ParleyClient, ParleyClientError } from '@parley/client';
import { isRoomTarget, type MessageKind } from '@parley/protocol';
import { prepareE2e, serverDirName } from './chat-e2e.ts';
import type { ChatOptions } from './chat-options.ts';
import { runE2eCommand, type E2eCommandContext } from './e2e-commands.ts';
import { E2eMonitor } from './e2e-monitor.ts';
import { identityChangedWarning, identityCreatedText, plainHintFor, sendFailureReason } from './e2e-text.ts';
import { formatMessage, waitingText } from './chat-format.ts';
import { ChatSender } from './send-order.ts';

/** Summaries of a burst of undecryptable messages are printed at these counts only: a line client cannot rewrite a line. */
const SUMMARY_AT = new Set([1, 10, 100, 1000]);

interface PlainIo {
  out(line: string): void;
  status(line: string): void;
}

/** The e2e options for the line client's ParleyClient, and the lines to say about them once connected. */
export async function plainE2eSetup(options: ChatOptions, io: PlainIo) {
  const setup = await prepareE2e(options);
  const blocked = setup.failure === undefined ? undefined : `end-to-end encryption could not be set up on this machine: ${setup.failure}`;
  return {
    clientOptions: setup.options ? { e2e: setup.options } : {},
    /** After the client exists: sends in order, refusals worded, the e2e events said. */
    attach(client: ParleyClient): PlainE2e {
      if (blocked) io.status(`${blocked}. Rooms work; direct messages are refused unless sent with /plain name text.`);
      if (setup.created) io.status(identityCreatedText(setup.created));
      return new PlainE2e(client, { io, sender: new ChatSender(client, blocked), options });
    },
  };
}

/** End-to-end encryption in `parley chat --plain`: status lines on stderr, /verify, /trust, /plain. */
export class PlainE2e {
  readonly sender: ChatSender;
  private readonly io: PlainIo;
  private readonly shown = new Map<string, string>();

  constructor(
    private readonly client: ParleyClient,
    input: { io: PlainIo; sender: ChatSender; options: ChatOptions },
  ) {
    const { io, options } = input;
    this.io = io;
    this.sender = input.sender;
    const account = options.credentials.kind === 'guest' ? undefined : options.credentials.name;
    let announced = false;
    new E2eMonitor(
      client,
      {
        ready: () => {
          if (!announced) io.status('end-to-end encryption on: direct messages to people with keys are encrypted');
          announced = true;
        },
        setupFailed: (text) => io.status(text),
        notice: (text) => io.status(text),
        identityChanged: (name) => io.status(identityChangedWarning(name)),
        conversationLine: ({ name, text, summary }) => {
          if (summary !== undefined && !SUMMARY_AT.has(summary)) return;
          io.status(`[${name !== undefined && isRoomTarget(name) ? name : `dm ${name ?? '?'}`}] ${text}`);
        },
      },
      { account, server: serverDirName(options.urls[0] ?? '') },
    );
  }

  /** A send typed by the person: failures said with what to do. */
  send(to: string, text: string, options: { kind?: MessageKind | undefined; plaintext?: boolean } = {}): void {
    const sendOptions = { ...(options.kind === 'action' ? { kind: 'action' as const } : {}), ...(options.plaintext ? { plaintext: true } : {}) };
    this.sender.send(to, text, sendOptions).then(
      (receipts) => {
        // The line client shows no sends of its own; one sent in plaintext on purpose is confirmed, marked.
        if (options.plaintext) this.io.out(formatMessage({ conv: '', seq: 0, ts: Date.now(), from: this.client.identity?.name ?? '', to, text }, this.client.identity?.name));
        // One the room's home (another server) has not taken yet is said, and again when it has (chat.ts).
        for (const receipt of receipts) if (receipt.pending) this.io.status(waitingText(receipt.to, text));
      },
      (error: ParleyClientError) => this.io.status(`not sent to ${to}: ${sendFailureReason(error, { to, plainHint: plainHintFor(false) })}`),
    );
  }

  /** `/verify`, `/trust`, `/plain`; false for any other word. */
  command(word: string, args: string): Promise<boolean> {
    const ctx: E2eCommandContext = {
      client: this.client,
      shown: this.shown,
      out: (line) => this.io.out(`* ${line}`),
      sendPlain: (to, text) => this.send(to, text, { plaintext: true }),
    };
    return runE2eCommand(ctx, word, args);
  }
}
