import { submissionHash, verifySigned } from './envelope.ts';
import type { FrameOf } from './link-frames.ts';
import type { ServerIdentity } from './server-identity.ts';

/**
 * End-to-end requests and answers between servers are signed by the server that makes them, so
 * a relay on the path can neither speak for another server's user (claim their KeyPackages,
 * commit as them) nor answer in the place of the server asked (hand out another identity key).
 * The hop count is left out: relays raise it.
 */
type Request = Omit<FrameOf<'e2e'>, 't' | 'sig' | 'hops'>;
type Answer = Omit<FrameOf<'e2e_answer'>, 't' | 'sig' | 'hops'>;

function requestBytes(r: Request): Buffer {
  const s = r.s === undefined ? '' : submissionHash(r.s);
  return Buffer.from(JSON.stringify(['parley-e2e-v1', r.rid, r.origin, r.to, r.op, r.user.id, r.user.name, r.device, r.conv, r.args, s, r.ts]));
}

function answerBytes(a: Answer): Buffer {
  return Buffer.from(JSON.stringify(['parley-e2e-answer-v1', a.rid, a.origin, a.from, a.data ?? '', a.code ?? '', a.message ?? '', a.detail ?? '']));
}

export function signRequest(identity: ServerIdentity, r: Omit<Request, 'origin'>): FrameOf<'e2e'> {
  const unsigned = { ...r, origin: identity.id };
  return { t: 'e2e', ...unsigned, sig: identity.sign(requestBytes(unsigned)), hops: 0 };
}

export function requestVerifies(frame: FrameOf<'e2e'>): boolean {
  const { t: _t, sig, hops: _hops, ...rest } = frame;
  return verifySigned(frame.origin, requestBytes(rest), sig);
}

export function signAnswer(identity: ServerIdentity, a: Omit<Answer, 'from'>): FrameOf<'e2e_answer'> {
  const unsigned = { ...a, from: identity.id };
  return { t: 'e2e_answer', ...unsigned, sig: identity.sign(answerBytes(unsigned)), hops: 0 };
}

export function answerVerifies(frame: FrameOf<'e2e_answer'>): boolean {
  const { t: _t, sig, hops: _hops, ...rest } = frame;
  return verifySigned(frame.from, answerBytes(rest), sig);
}

type Welcome = Omit<FrameOf<'welcome'>, 't' | 'sig' | 'hops'>;

function welcomeBytes(w: Welcome): Buffer {
  return Buffer.from(JSON.stringify(['parley-welcome-v1', w.home, w.to, w.user, w.device, w.room, w.group, w.epoch, w.seq, w.welcome, w.tree]));
}

/** A Welcome is signed by the conversation's home: a relay cannot slip a device into a group of its own making. */
export function signWelcome(identity: ServerIdentity, w: Omit<Welcome, 'home'>): FrameOf<'welcome'> {
  const unsigned = { ...w, home: identity.id };
  return { t: 'welcome', ...unsigned, sig: identity.sign(welcomeBytes(unsigned)), hops: 0 };
}

export function welcomeVerifies(frame: FrameOf<'welcome'>): boolean {
  const { t: _t, sig, hops: _hops, ...rest } = frame;
  return verifySigned(frame.home, welcomeBytes(rest), sig);
}
