import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { applyChange, isChange, ParleyClient, type ClientEvents, type ClientMessage, type Transport, type TransportFactory } from '@parley/client';
import { nodeTransport } from '@parley/client/node';
import type { ChatMessage } from '@parley/protocol';
import { useServerScope, waitFor } from '../src/index.ts';
import { E2E_SERVER_SETTINGS, E2eBed, type Device } from './e2e-dm-testbed.ts';

/**
 * The SDK's messaging against a real server (issue 15): replies, edits, redactions, reactions,
 * typing and read state, in a plaintext room and DM across two devices of one account, and in
 * an encrypted DM and an encrypted room, where the changes travel inside the ciphertext and a
 * reload shows each message in its current version from the device's archive.
 */
const scope = useServerScope();
let bed: E2eBed | undefined;

afterEach(async () => {
  await bed?.cleanUp();
  bed = undefined;
});

const PASSWORD = 'messaging-pw';

interface Person {
  client: ParleyClient;
  messages: ChatMessage[];
  typing: ClientEvents['typing'][];
  reads: ClientEvents['read'][];
  /** Closes the current connection as a network failure would: the client reconnects by itself. */
  drop(): void;
}

/** A transport that the test can cut. */
function cuttable(inner: TransportFactory): { factory: TransportFactory; cut(): void } {
  let current: Transport | undefined;
  return {
    factory: async (url, options) => (current = await inner(url, options)),
    cut: () => current?.close(),
  };
}

function person(credentials: ConstructorParameters<typeof ParleyClient>[0]['credentials']): Person {
  const transport = cuttable(nodeTransport());
  const client = new ParleyClient({ url: `tcp://127.0.0.1:${scope.server.tcpPort}`, transport: transport.factory, credentials, backoff: { initialMs: 20, maxMs: 200 } });
  scope.track({ close: () => void client.close() });
  const p: Person = { client, messages: [], typing: [], reads: [], drop: transport.cut };
  client.on('message', (m) => p.messages.push(m));
  client.on('typing', (t) => p.typing.push(t));
  client.on('read', (r) => p.reads.push(r));
  return p;
}

/** What an application shows: the messages of a conversation, the live changes applied to them. */
function shown(messages: readonly ClientMessage[], conv: string): ClientMessage[] {
  let list: readonly ClientMessage[] = [];
  for (const message of messages.filter((m) => m.conv === conv)) list = isChange(message) ? applyChange(list, message) : [...list, message];
  return [...list];
}

/** The messages of a history page as an application shows them (the changes are folded in already). */
const ownMessages = (page: { messages: ClientMessage[] }) => page.messages.filter((m) => !isChange(m));

const view = (m: ClientMessage) => ({ seq: m.seq, from: m.from, text: m.text, reply: m.reply, redacted: m.redacted, reactions: m.reactions, edited: m.edited !== undefined });

/** What an application does with its own sends and changes (they come back as no event): show them. */
function own(p: Pick<Person, 'client' | 'messages'>, receipt: { conv: string; seq: number; to: string } | undefined, message: { text: string; reply?: number }): number {
  if (!receipt) throw new Error('no receipt');
  p.messages.push({ conv: receipt.conv, seq: receipt.seq, to: receipt.to, from: p.client.identity?.name ?? '', ts: Date.now(), ...message });
  return receipt.seq;
}

describe('SDK messaging, plaintext', () => {
  it('replies, edits, reactions, redactions and typing in a room and a DM; read state follows across two devices', async () => {
    await scope.start({ limits: { messages_per_minute: 6000, message_burst: 1000 } });
    const alice = person({ kind: 'register', name: 'alice', password: PASSWORD });
    await alice.client.connect();
    const phone = person({ kind: 'login', name: 'alice', password: PASSWORD });
    const bob = person({ kind: 'register', name: 'bob', password: PASSWORD });
    await Promise.all([phone.client.connect(), bob.client.connect()]);
    await alice.client.join('#m');
    await Promise.all([bob.client.join('#m'), phone.client.join('#m')]);

    const seq = own(alice, (await alice.client.send('#m', 'helo'))[0], { text: 'helo' });
    const answer = own(bob, (await bob.client.send('#m', 'yes!', { reply: seq }))[0], { text: 'yes!', reply: seq });
    await waitFor(() => alice.messages.some((m) => m.seq === answer), 'alice to get the reply');
    expect(alice.messages.find((m) => m.seq === answer)).toMatchObject({ text: 'yes!', reply: seq });

    const edit = await alice.client.edit('#m', seq, 'hello');
    expect(edit).toMatchObject({ to: '#m', ref: seq, duplicate: false, change: { kind: 'edit', ref: seq, text: 'hello', from: 'alice' } });
    alice.messages.push(edit.change);
    await expect(bob.client.edit('#m', seq, 'not mine')).rejects.toMatchObject({ errorName: 'NOT_YOUR_MESSAGE' });
    bob.messages.push((await bob.client.react('#m', seq, '👍')).change);
    // Already given: nothing stored.
    expect(await bob.client.react('#m', seq, '👍')).toMatchObject({ seq: 0, duplicate: true });
    bob.messages.push((await bob.client.react('#m', seq, '🎉')).change, (await bob.client.unreact('#m', seq, '🎉')).change);
    phone.messages.push((await phone.client.react('#m', answer, '👀')).change);
    await waitFor(() => bob.messages.some((m) => m.kind === 'react' && m.ref === answer), 'bob to see the reaction to his reply');
    await waitFor(() => alice.messages.some((m) => m.kind === 'unreact'), 'alice to see the unreact');
    await waitFor(() => phone.messages.some((m) => m.kind === 'unreact'), 'the phone to see the unreact');

    // Live, every device shows what a reload shows.
    const history = await bob.client.history('#m');
    expect(ownMessages(history).map(view)).toEqual([
      { seq, from: 'alice', text: 'hello', reply: undefined, redacted: undefined, reactions: [{ emoji: '👍', count: 1, users: ['bob'] }], edited: true },
      { seq: answer, from: 'bob', text: 'yes!', reply: seq, redacted: undefined, reactions: [{ emoji: '👀', count: 1, users: ['alice'] }], edited: false },
    ]);
    for (const p of [alice, bob]) expect(shown(p.messages, '#m').map(view)).toEqual(ownMessages(history).map(view));
    // The phone saw alice's message only as an event from another connection of hers.
    expect(shown(phone.messages, '#m').map(view)).toEqual(ownMessages(history).map(view));

    await alice.client.typing('#m');
    expect(await waitFor(() => bob.typing.find((t) => t.on), 'bob to see alice typing')).toEqual({ conv: '#m', user: 'alice', on: true });
    await alice.client.typing('#m', false);
    await waitFor(() => bob.typing.some((t) => !t.on), 'bob to see alice stop');
    expect(alice.typing).toEqual([]);

    alice.messages.push((await alice.client.redact('#m', seq)).change);
    await waitFor(() => bob.messages.some((m) => m.kind === 'redact'), 'bob to see the redaction');
    const reloaded = ownMessages(await bob.client.history('#m'));
    expect(reloaded.find((m) => m.seq === seq)).toMatchObject({ text: '', redacted: true });
    for (const p of [alice, bob]) expect(shown(p.messages, '#m').map(view)).toEqual(reloaded.map(view));

    // A DM, edited by its author: both of alice's devices see it.
    const [dm] = await bob.client.send('alice', 'psst');
    await bob.client.edit('alice', dm!.seq, 'psst!');
    for (const device of [alice, phone]) await waitFor(() => shown(device.messages, dm!.conv).find((m) => m.seq === dm?.seq)?.text === 'psst!', 'both devices to see the edit');
    await alice.client.react('bob', dm!.seq, '👍');
    expect(ownMessages(await phone.client.history('bob'))).toMatchObject([{ text: 'psst!', reactions: [{ emoji: '👍', users: ['alice'] }] }]);

    // Read on one device: the other hears it, and unread() agrees.
    expect(await alice.client.markRead('bob', dm!.seq)).toEqual({ conv: dm!.conv, seq: dm!.seq });
    expect(await waitFor(() => phone.reads.find((r) => r.conv === dm?.conv), 'the phone to hear of the read')).toEqual({ conv: dm!.conv, seq: dm!.seq });
    expect(alice.reads).toEqual([]);
    expect((await phone.client.unread()).find((c) => c.conv === dm?.conv)).toMatchObject({ with: 'bob', read: dm!.seq, unread: 0 });
    expect((await phone.client.unread()).find((c) => c.conv === '#m')).toMatchObject({ read: 0, unread: 1 });

    // While disconnected: typing is dropped, the latest read position waits and goes out after the reconnect.
    const lastInRoom = (await bob.client.send('#m', 'one more'))[0]!.seq;
    await waitFor(() => alice.messages.some((m) => m.seq === lastInRoom), 'alice to get the last message');
    const lost = new Promise<void>((resolve) => alice.client.on('state', ({ state }) => state === 'reconnecting' && resolve()));
    alice.drop();
    await lost;
    expect(alice.client.state).not.toBe('connected');
    await alice.client.typing('#m');
    expect(await alice.client.markRead('#m', 1)).toBeUndefined();
    expect(await alice.client.markRead('#m', lastInRoom)).toBeUndefined();
    await waitFor(() => phone.reads.some((r) => r.conv === '#m' && r.seq === lastInRoom), 'the phone to hear of the read made while alice was away');
    expect(phone.reads.filter((r) => r.conv === '#m')).toHaveLength(1);
    expect((await phone.client.unread()).find((c) => c.conv === '#m')).toMatchObject({ read: lastInRoom, unread: 0 });
  });
});

/** Every file under a data directory (the WAL too). */
function filesUnder(dir: string): { path: string; bytes: Buffer }[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [{ path, bytes: readFileSync(path) }];
  });
}

const marker = () => `MARK${randomBytes(6).toString('hex')}`;
const decrypted = (device: Device, seq: number | undefined) => device.messages.find((m) => m.seq === seq && m.encrypted);

/**
 * One encrypted conversation's round trip: `author` writes, `other` answers and reacts, the
 * author edits, writes again and redacts that; the other side decrypts each as the app would
 * see plaintext; a reload on a fresh client of each device shows current versions; the server
 * holds none of the words.
 */
async function encryptedRoundTrip(input: { author: Device; other: Device; watcher: Device; to: { author: string; other: string } }): Promise<{ words: string[]; seq: number }> {
  const { author, other, watcher, to } = input;
  const words = [marker(), marker(), marker(), marker()];
  const [sent] = await author.client.send(to.author, `helo ${words[0]}`);
  const seq = own(author, sent, { text: `helo ${words[0]}` });
  await waitFor(() => decrypted(other, seq), 'the other side to decrypt the message');
  const [answer] = await other.client.send(to.other, `yes ${words[1]}`, { reply: seq });
  own(other, answer, { text: `yes ${words[1]}`, reply: seq });
  expect(await waitFor(() => decrypted(author, answer?.seq), 'the author to decrypt the reply')).toMatchObject({ text: `yes ${words[1]}`, reply: seq, encrypted: true });
  expect(decrypted(author, answer?.seq)?.ref).toBeUndefined();

  const edit = await author.client.edit(to.author, seq, `hello ${words[2]}`);
  expect(edit).toMatchObject({ ref: seq, duplicate: false });
  // What an application does with its own changes (they come back as no event).
  author.messages.push(edit.change);
  expect(await waitFor(() => decrypted(other, edit.seq), 'the other side to decrypt the edit')).toMatchObject({ kind: 'edit', ref: seq, text: `hello ${words[2]}`, from: author.person.name });
  // No server can tell whose an encrypted message is: the client that knows refuses.
  await expect(other.client.edit(to.other, seq, 'not mine')).rejects.toMatchObject({ errorName: 'NOT_YOUR_MESSAGE' });
  const reaction = await other.client.react(to.other, seq, '👍');
  other.messages.push(reaction.change, (await other.client.react(to.other, seq, '🎉')).change, (await other.client.unreact(to.other, seq, '🎉')).change);
  await waitFor(() => author.messages.some((m) => m.kind === 'unreact' && m.ref === seq), 'the author to decrypt the reactions');
  expect(decrypted(author, reaction.seq)).toMatchObject({ kind: 'react', ref: seq, text: '👍', from: other.person.name });

  const [doomed] = await author.client.send(to.author, `oops ${words[3]}`);
  own(author, doomed, { text: `oops ${words[3]}` });
  await waitFor(() => decrypted(other, doomed?.seq), 'the other side to decrypt the doomed message');
  author.messages.push((await author.client.redact(to.author, doomed!.seq)).change);
  await waitFor(() => other.messages.some((m) => m.kind === 'redact' && m.ref === doomed?.seq), 'the other side to see the redaction');

  // Live, as an application shows it.
  for (const device of [author, other, watcher]) {
    await waitFor(() => shown(device.messages, sent!.conv).find((m) => m.seq === doomed?.seq)?.redacted, `${device.person.name} to apply the redaction`);
    const live = shown(device.messages, sent!.conv);
    expect(live.find((m) => m.seq === seq)).toMatchObject({ text: `hello ${words[2]}`, reactions: [{ emoji: '👍', count: 1, users: [other.person.name] }] });
  }
  for (const device of [author, other, watcher]) expect(device.errors, `${device.person.name}'s end-to-end errors`).toEqual([]);
  return { words, seq };
}

/** A device's history on a fresh client of it (the same storage): current versions from the archive. */
async function reloaded(device: Device, target: string): Promise<ClientMessage[]> {
  return (await reopened(device, target)).messages;
}

async function reopened(device: Device, target: string): Promise<{ device: Device; messages: ClientMessage[] }> {
  await device.client.close();
  const again = await bed!.device(device.person, { storageDir: device.storageDir! });
  return { device: again, messages: ownMessages(await again.client.history(target)) };
}

async function expectCurrent(messages: ClientMessage[], input: { seq: number; words: string[]; other: string }): Promise<void> {
  const { seq, words, other } = input;
  const original = messages.find((m) => m.seq === seq);
  expect(original).toMatchObject({ text: `hello ${words[2]}`, encrypted: true, reactions: [{ emoji: '👍', count: 1, users: [other] }] });
  expect(original?.edited).toEqual(expect.any(Number));
  expect(messages.find((m) => m.reply === seq)).toMatchObject({ text: `yes ${words[1]}`, encrypted: true });
  expect(messages.find((m) => m.text.includes(words[3]!))).toBeUndefined();
  expect(messages.filter((m) => m.redacted)).toHaveLength(1);
  expect(messages.some((m) => m.undecryptable)).toBe(false);
}

async function expectNoPlaintext(words: string[]): Promise<void> {
  const stored = filesUnder(scope.server.dataDir);
  expect(stored.length).toBeGreaterThan(0);
  for (const word of words) expect(stored.filter((f) => f.bytes.includes(word)).map((f) => f.path), word).toEqual([]);
}

describe('SDK messaging, end-to-end encrypted', () => {
  it('in a DM: edit, reply, react and redact decrypt as plaintext would, reloads show current versions, the server sees only refs', async () => {
    await scope.start(E2E_SERVER_SETTINGS);
    bed = new E2eBed(scope.server);
    const alice = await bed.person('alice');
    const a1 = await bed.device(alice);
    const a2 = await bed.device(alice);
    // A device away through all of it: it reads everything when it comes back, the redacted message blank.
    const away = await bed.device(alice);
    await away.client.close();
    const b1 = await bed.device(await bed.person('bob'));
    const { words, seq } = await encryptedRoundTrip({ author: a1, other: b1, watcher: a2, to: { author: 'bob', other: 'alice' } });
    const back = await bed.device(alice, { storageDir: away.storageDir! });
    await waitFor(() => back.messages.some((m) => m.kind === 'unreact'), () => `the device that was away to catch up: ${JSON.stringify(back.errors)}`, 20_000);
    expect(back.errors).toEqual([]);
    await expectCurrent(ownMessages(await back.client.history('bob')), { seq, words, other: 'bob' });

    // What the server holds: ciphertext, each change naming only the message it is about.
    const raw = await b1.client.request('history', { with: 'alice' });
    expect(new Set(raw.messages.map((m) => m.kind))).toEqual(new Set(['mls', 'mls_commit', 'redact']));
    expect(raw.messages.filter((m) => m.ref === seq).map((m) => m.kind)).toEqual(['mls', 'mls', 'mls', 'mls', 'mls']);
    // The plaintext verbs are refused for an encrypted message.
    await expect(a1.client.request('edit', { to: 'bob', seq, text: 'in the clear' })).rejects.toMatchObject({ errorName: 'E2E_ROOM_ENCRYPTED' });

    const bob = await reopened(b1, 'alice');
    await expectCurrent(bob.messages, { seq, words, other: 'bob' });
    await expectCurrent(await reloaded(a1, 'bob'), { seq, words, other: 'bob' });

    // Searched on the device: current versions only, nothing redacted.
    const found = await a2.client.e2e!.search(`hello ${words[2]!.slice(0, 8)}`);
    expect(found.map((m) => [m.seq, m.text])).toEqual([[seq, `hello ${words[2]}`]]);
    expect(await a2.client.e2e!.search(words[0]!)).toEqual([]);
    expect(await a2.client.e2e!.search(words[3]!)).toEqual([]);
    expect((await a2.client.e2e!.search(words[1]!, { from: 'bob' })).map((m) => m.reply)).toEqual([seq]);
    expect(await a2.client.e2e!.search(words[1]!, { from: 'alice' })).toEqual([]);
    // The server's search finds none of it.
    expect(await a2.client.search(words[2]!)).toEqual([]);
    await expectNoPlaintext(words);

    // A server that moves an edit onto another of alice's messages (the cleartext ref) is caught: the ref inside differs.
    const b2 = bob.device;
    const [second] = await a2.client.send('bob', 'second');
    await waitFor(() => decrypted(b2, second?.seq), 'bob to read the second message');
    a2.outgoing.rewrite = (frame) => {
      if (frame.cmd !== 'esend') return frame;
      a2.outgoing.rewrite = undefined;
      return { ...frame, ref: second!.seq };
    };
    const moved = await a2.client.edit('bob', seq, 'moved');
    await waitFor(() => b2.errors.some((e) => e.seq === moved.seq && e.code === 'E2E_BAD_PAYLOAD'), () => `bob's device to refuse the moved edit: ${JSON.stringify(b2.errors)}`);
    expect(b2.messages.some((m) => m.seq === moved.seq)).toBe(false);

    // A typed line (what the plain chat and the web client run) goes through the encryption too.
    const typed = await b2.client.runLine({ verb: 'react', args: { to: 'alice', seq: second!.seq, emoji: '👀' } });
    const receipt = typed.data as { seq: number };
    expect(await waitFor(() => decrypted(a2, receipt.seq), 'alice to decrypt the typed reaction')).toMatchObject({ kind: 'react', ref: second!.seq, text: '👀' });
  });

  it('in a room: the same round trip, a moderator redacts what others wrote without reading it, reloads show current versions', async () => {
    await scope.start(E2E_SERVER_SETTINGS);
    bed = new E2eBed(scope.server);
    const a1 = await bed.device(await bed.person('alice'));
    const b1 = await bed.device(await bed.person('bob'));
    const c1 = await bed.device(await bed.person('carol'));
    await a1.client.request('create', { room: '#secret', encrypted: true });
    await b1.client.join('#secret');
    await c1.client.join('#secret');
    const { words, seq } = await encryptedRoundTrip({ author: b1, other: c1, watcher: a1, to: { author: '#secret', other: '#secret' } });
    await expect(c1.client.request('react', { to: '#secret', seq, emoji: '👀' })).rejects.toMatchObject({ errorName: 'E2E_ROOM_ENCRYPTED' });
    await expect(c1.client.send('#secret', 'reply', { reply: 999 })).rejects.toMatchObject({ errorName: 'NO_SUCH_MESSAGE' });

    // The owner redacts carol's message with the plaintext verb: it carries no content.
    const [rude] = await c1.client.send('#secret', `rude ${marker()}`);
    await waitFor(() => decrypted(b1, rude?.seq), 'bob to read the rude message');
    await a1.client.redact('#secret', rude!.seq, 'be nice');
    await waitFor(() => b1.messages.some((m) => m.kind === 'redact' && m.ref === rude?.seq), 'bob to see the redaction');
    const onBob = await reloaded(b1, '#secret');
    expect(onBob.find((m) => m.seq === rude?.seq)).toMatchObject({ text: '', redacted: true });
    await expectCurrent(onBob.filter((m) => m.seq !== rude?.seq), { seq, words, other: 'carol' });
    const onCarol = await reloaded(c1, '#secret');
    expect(onCarol.find((m) => m.seq === rude?.seq)).toMatchObject({ text: '', redacted: true });
    await expectCurrent(onCarol.filter((m) => m.seq !== rude?.seq), { seq, words, other: 'carol' });
    expect((await c1.client.e2e!.search('hello', { conv: '#secret' })).map((m) => m.seq)).toEqual([seq]);
    await expectNoPlaintext(words);
  });
});
