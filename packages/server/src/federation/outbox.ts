import { ParleyError, type MessageKind } from '@parley/protocol';
import type { Actor, ServerContext } from '../core/context.ts';
import type { StoredMessage } from '../store/store.ts';
import { signSubmission, type Submission } from './envelope.ts';
import type { FederationParts } from './home-rooms.ts';
import type { FrameOf } from './link-frames.ts';
import type { Link } from './link.ts';
import { OutboundEvent } from '../core/outbound.ts';

interface Waiter {
  /** The stored message, why the home refused it, or undefined: no answer in time (pending). */
  resolve(outcome: StoredMessage | ParleyError | undefined): void;
  /** The seq the home answered with (a repeated cmid: the event is the original's). */
  seq?: number;
  conv: string;
  /** The sending connection: it hears through its reply, so the message event skips it. */
  session: Actor['session'];
}

/**
 * Local users' messages to rooms homed elsewhere: each a submission signed by this server, kept
 * in the store's outbox until its event comes back from the home (or the home refuses it), and
 * sent again whenever the route to the home changes, so nothing acknowledged to a client as
 * pending is lost. The home takes a submission once: (origin, sub) and the cmid are unique there.
 */
export class Outbox {
  readonly #waiters = new Map<number, Waiter>();
  /** sub -> the neighbor it was last sent to (resent only when the route moves). */
  readonly #sentVia = new Map<number, Link>();

  constructor(
    private readonly server: ServerContext,
    private readonly parts: FederationParts & { linkTo: (server: string) => Link | undefined },
  ) {}

  /** Signs, keeps and sends; answers once the home's event is stored here, or as pending after send_wait_ms. */
  async send(actor: Actor, to: { conv: string; home: string; room: string }, content: { text: string; cmid?: string | undefined; kind?: MessageKind | undefined; ref?: number | undefined; dev?: string | undefined }): Promise<{ message: StoredMessage | undefined; pending: boolean }> {
    const { store, identity } = this.parts;
    const sub = await store.nextSub();
    const s = signSubmission(identity, {
      sub,
      home: to.home,
      room: to.room,
      sender: actor.user.id,
      name: actor.user.name,
      ...(content.cmid !== undefined ? { cmid: content.cmid } : {}),
      ...(content.kind !== undefined ? { kind: content.kind } : {}),
      text: content.text,
      ts: Date.now(),
      ...(content.ref !== undefined ? { ref: content.ref } : {}),
      ...(content.dev !== undefined ? { dev: content.dev } : {}),
    });
    await store.addOutbox({ sub, conv: to.conv, submission: JSON.stringify(s), createdAt: s.ts });
    const outcome = await new Promise<StoredMessage | ParleyError | undefined>((resolve) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(sub);
        resolve(undefined);
      }, this.server.config.federation.send_wait_ms);
      this.#waiters.set(sub, { conv: to.conv, session: actor.session, resolve: (m) => (clearTimeout(timer), this.#waiters.delete(sub), resolve(m)) });
      if (!this.#send(s)) this.#waiters.get(sub)?.resolve(undefined);
    });
    if (outcome instanceof ParleyError) throw outcome;
    return { message: outcome, pending: outcome === undefined };
  }

  #send(s: Submission): boolean {
    const link = this.parts.linkTo(s.home);
    if (!link) return false;
    this.#sentVia.set(s.sub, link);
    link.send({ t: 'submit', s, hops: 0 });
    return true;
  }

  /** Everything still waiting whose route moved (or that was never sent). */
  async resend(): Promise<void> {
    for (const entry of await this.parts.store.outbox()) {
      const s = JSON.parse(entry.submission) as Submission;
      const via = this.#sentVia.get(s.sub);
      if (via && !via.closed && via === this.parts.linkTo(s.home)) continue;
      this.#send(s);
    }
  }

  /** The home sequenced (or refused) one of this server's submissions. */
  async acknowledged(frame: FrameOf<'accepted'> | FrameOf<'rejected'>): Promise<void> {
    const waiter = this.#waiters.get(frame.sub);
    // A send answered as pending that the home refused later: its sender has no reply to read it in.
    if (!waiter && frame.t === 'rejected') await this.#refusedLater(frame);
    await this.parts.store.removeOutbox(frame.sub);
    this.#sentVia.delete(frame.sub);
    if (!waiter) return;
    if (frame.t === 'rejected') {
      this.server.log.info({ sub: frame.sub, code: frame.code }, 'federation: the home refused a submission');
      return waiter.resolve(new ParleyError(knownCode(frame.code), `${frame.message} (the room's home refused it)`));
    }
    waiter.seq = frame.seq;
    const [stored] = await this.server.store.history(waiter.conv, { after: frame.seq - 1, limit: 1 });
    if (stored?.seq === frame.seq) waiter.resolve(stored);
  }

  async #refusedLater(frame: FrameOf<'rejected'>): Promise<void> {
    const entry = (await this.parts.store.outbox()).find((e) => e.sub === frame.sub);
    if (!entry) return;
    const s = JSON.parse(entry.submission) as Submission;
    const user = this.server.users.get(s.sender);
    const where = s.room.startsWith('dm:') ? 'your direct message' : `your message to ${s.room}@${this.parts.nameOf(s.home)}`;
    // Ciphertext is no text to quote.
    const what = s.kind === 'mls' || s.kind === 'mls_commit' ? 'an encrypted message' : `"${s.text.slice(0, 60)}"`;
    const text = `${this.parts.nameOf(s.home)} refused ${where} (${what}): ${frame.message}`;
    this.server.log.info({ sub: frame.sub, code: frame.code }, 'federation: the home refused a pending submission');
    if (user) this.server.router.localUser(user, new OutboundEvent({ ev: 'notice', text, ...(s.room.startsWith('dm:') ? {} : { room: `${s.room}@${this.parts.nameOf(s.home)}` }) }));
  }

  /** An event of a mirrored room was stored here: deliver it, and answer the send that made it. */
  committed(message: StoredMessage, ownSub: number | undefined): void {
    const waiter = ownSub === undefined ? undefined : this.#waiters.get(ownSub);
    if (ownSub !== undefined) {
      this.#sentVia.delete(ownSub);
      this.parts.store.removeOutbox(ownSub).catch((err: unknown) => this.server.log.warn({ err }, 'federation: clearing the outbox failed'));
    }
    this.server.delivery.committed(message, waiter ? { origin: waiter.session } : {});
    waiter?.resolve(message);
    for (const w of this.#waiters.values()) if (w.conv === message.conv && w.seq === message.seq) w.resolve(message);
  }
}

/** A refusal's code as the home gave it, when it is one this server knows too. */
export function knownCode(code: string): ConstructorParameters<typeof ParleyError>[0] {
  const known = [
    'NO_SUCH_ROOM',
    'NO_SUCH_USER',
    'BANNED_FROM_ROOM',
    'INVITE_ONLY',
    'ROOM_PASSWORD',
    'FORBIDDEN',
    'NOT_IN_ROOM',
    'MUTED',
    'BAD_ARGUMENTS',
    'FEDERATION_BAD_SIGNATURE',
    // The Delivery Service's answers, which clients act on (read the newer commits, wait for a Welcome).
    'E2E_NO_GROUP',
    'E2E_GROUP_EXISTS',
    'E2E_EPOCH_CONFLICT',
    'E2E_WRONG_EPOCH',
    'E2E_NOT_MEMBER',
    'E2E_NOT_ENCRYPTED',
    'E2E_MEMBERS_CHANGED',
    'E2E_BAD_MESSAGE',
    'E2E_NO_DEVICE',
  ] as const;
  return (known as readonly string[]).includes(code) ? (code as (typeof known)[number]) : 'FORBIDDEN';
}
