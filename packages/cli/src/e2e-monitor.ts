import type { ParleyClient } from '@parley/client';
import { ConvNames, E2eErrorLog } from './e2e-errors.ts';
import { groupFailureText, setupFailureText, undecryptableSummary, undecryptableText } from './e2e-text.ts';

/** What a terminal client does with what the end-to-end layer says. */
export interface E2eMonitorHooks {
  /** This login's device is set up. */
  ready(): void;
  /** It could not be (said once per reason): DMs are refused, rooms work. */
  setupFailed(text: string): void;
  /** Someone's identity key is not the pinned one (`identity_changed`). */
  identityChanged(name: string): void;
  /** A failure that belongs to no conversation (said once per kind). */
  notice(text: string): void;
  /** A line for a DM (`name` its other person) or a room (`name` the room); `summary` (the count so far) replaces the previous summary of that conversation. */
  conversationLine(input: { conv: string; name: string | undefined; text: string; summary?: number }): void;
}

/**
 * Follows a client's end-to-end events for both terminal clients: setup (each login's
 * `whenReady`), identity changes, and `e2e_error`s worded and rate-limited (E2eErrorLog).
 */
export class E2eMonitor {
  readonly names: ConvNames;
  private readonly log = new E2eErrorLog();
  private readonly said = new Set<string>();
  private ready = false;
  private readonly offs: (() => void)[] = [];

  constructor(
    private readonly client: ParleyClient,
    private readonly hooks: E2eMonitorHooks,
    private readonly where: { account?: string | undefined; server: string },
  ) {
    this.names = new ConvNames(client);
    const e2e = client.e2e;
    if (!e2e) return;
    this.offs.push(
      client.on('message', (m) => this.names.learn(m)),
      client.on('state', ({ state }) => {
        if (state !== 'connected') this.ready = false;
        else this.watchSetup();
      }),
      client.on('identity_changed', (e) => hooks.identityChanged(e.user)),
      client.on('e2e_error', (e) => void this.onError(e)),
    );
    if (client.state === 'connected') this.watchSetup();
  }

  /** Stops listening (the UI unmounts). */
  dispose(): void {
    for (const off of this.offs.splice(0)) off();
  }

  private watchSetup(): void {
    this.client.e2e?.whenReady().then(
      () => {
        if (this.offs.length === 0 || this.ready) return;
        this.ready = true;
        this.hooks.ready();
      },
      (error: { errorName?: string; message: string }) => this.setupFailed(error),
    );
  }

  private setupFailed(error: { errorName?: string; message: string }): void {
    const key = error.errorName ?? error.message;
    if (this.said.has(key) || error.errorName === 'CLOSED' || this.offs.length === 0) return;
    this.said.add(key);
    this.hooks.setupFailed(setupFailureText(error, this.where));
  }

  private async onError(event: { conv?: string; seq?: number; code: string; message: string }): Promise<void> {
    // Without a conversation before the device is ready: the setup failed (whenReady says so too; once is enough).
    if (event.conv === undefined && (!this.ready || event.code === 'E2E_DEVICE_REMOVED')) return this.setupFailed({ errorName: event.code, message: event.message });
    // A conversation of this device's earlier user id (a guest after a server restart): nothing to tell.
    if (event.code === 'NO_SUCH_CONVERSATION' && event.seq === undefined) return;
    const verdict = this.log.take(event, Date.now());
    if (!verdict) return;
    if (event.conv === undefined) return this.hooks.notice(groupFailureText(undefined, event));
    const name = await this.names.name(event.conv);
    const conv = event.conv;
    if (event.seq === undefined) return this.hooks.conversationLine({ conv, name, text: groupFailureText(name, event) });
    const who = name ?? 'someone';
    if (verdict.show === 'line') this.hooks.conversationLine({ conv, name, text: undecryptableText(who, event.code) });
    else this.hooks.conversationLine({ conv, name, text: undecryptableSummary(who, { count: verdict.count, code: event.code }), summary: verdict.count });
  }
}
