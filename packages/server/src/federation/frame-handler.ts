import { ParleyError } from '@parley/protocol';
import type { Logger } from 'pino';
import { answerVerifies, requestVerifies, welcomeVerifies } from './e2e-signing.ts';
import { membershipVerifies, submissionFault } from './envelope.ts';
import type { Federation } from './federation.ts';
import { convOf } from './home-rooms.ts';
import type { LinkFrame } from './link-frames.ts';
import type { Link } from './link.ts';

type Relayed = Extract<LinkFrame, { hops: number }>;

/**
 * One frame of an authenticated link, after the handshake: what is for this server goes to its
 * part (home rooms, mirrors, direct conversations, routes); joins, parts and submissions for
 * another home, and answers for another origin, are checked and passed on one hop further.
 */
export async function handleFrame(f: Federation, { link, frame, log, hopLimit }: { link: Link; frame: LinkFrame; log: Logger; hopLimit: number }): Promise<void> {
  const self = f.identity.id;
  const forward = (to: string, relayed: Relayed) => forwardFrame(f, { from: link, to, frame: relayed, log, hopLimit });
  const dropped = (why: string) => droppedFrame(log, { from: link, frame, why });
  switch (frame.t) {
    case 'ping':
      return link.send({ t: 'pong' });
    case 'pong':
      return;
    case 'routes':
      return f.routes.received(link.peer!.id, frame.list);
    case 'join':
    case 'part':
      if (f.peers.isDenied(frame.origin)) return;
      if (frame.home === self) return frame.t === 'join' ? f.home.join(frame) : f.home.part(frame);
      // Relays check what they pass on: a forged statement stops at the first honest server.
      if (!membershipVerifies(frame.t, frame)) return dropped('membership statement does not verify');
      return forward(frame.home, frame);
    case 'submit':
      if (f.peers.isDenied(frame.s.origin) || f.peers.isDenied(frame.s.home)) return;
      if (frame.s.home === self) return f.home.submit(frame.s);
      if (submissionFault(frame.s)) return dropped('submission does not verify');
      return forward(frame.s.home, frame);
    case 'dm_open':
      if (f.peers.isDenied(frame.origin)) return;
      if (frame.home === self) return membershipVerifies('dm', frame) ? f.direct.open(frame) : dropped('dm_open does not verify');
      if (!membershipVerifies('dm', frame)) return dropped('dm_open does not verify');
      return forward(frame.home, frame);
    case 'dm_opened':
      return frame.origin === self ? f.direct.opened(frame) : forward(frame.origin, frame);
    case 'joined':
    case 'refused':
      if (frame.origin !== self) return forward(frame.origin, frame);
      // A refused join and a refused direct conversation share the frame: both callers look up the rid.
      if (frame.t === 'refused') f.direct.opened(frame);
      return f.mirrors.answered(frame);
    case 'accepted':
    case 'rejected':
      return frame.origin === self ? f.mirrors.outbox.acknowledged(frame) : forward(frame.origin, frame);
    case 'e2e':
      if (f.peers.isDenied(frame.origin)) return;
      if (frame.to === self) return f.homeE2e.request(frame);
      if (!requestVerifies(frame)) return dropped('e2e request does not verify');
      return forward(frame.to, frame);
    case 'e2e_answer':
      if (frame.origin === self) return f.e2e.answered(frame);
      if (!answerVerifies(frame)) return dropped('e2e answer does not verify');
      return forward(frame.origin, frame);
    case 'welcome':
      if (f.peers.isDenied(frame.home)) return;
      if (frame.to === self) return f.e2e.welcomed(frame);
      if (!welcomeVerifies(frame)) return dropped('welcome does not verify');
      return forward(frame.to, frame);
    case 'devices':
      if (f.peers.isDenied(frame.origin)) return;
      return frame.to === self ? f.e2e.devicesChanged(frame) : forward(frame.to, frame);
    case 'welcome_ack':
      return frame.home === self ? f.homeE2e.welcomeAcknowledged(frame) : forward(frame.home, frame);
    case 'follow':
      if (frame.home === self) return void f.home.follow(link, frame);
      return f.mirrors.follow(link, frame);
    case 'unfollow':
      if (frame.home === self) return f.streams.unfollow(link, convOf(frame.room));
      return f.mirrors.unfollow(link, frame);
    case 'events':
      return f.mirrors.events(link, frame.list);
    case 'room':
      return f.mirrors.roomEvent(link, frame);
    default:
      return link.close(new ParleyError('FEDERATION_BAD_FRAME', `${frame.t} is not expected after the handshake`));
  }
}

/** Passes a frame on toward `to`, one hop further; past the hop limit (a routing loop) it is dropped. */
function forwardFrame(f: Federation, { from, to, frame, log, hopLimit }: { from: Link; to: string; frame: Relayed; log: Logger; hopLimit: number }): void {
  if (frame.hops + 1 >= hopLimit) return droppedFrame(log, { from, frame, why: `over the hop limit (${hopLimit})` });
  const link = f.linkTo(to);
  if (!link || link === from) return droppedFrame(log, { from, frame, why: `no route to ${to}` });
  link.send({ ...frame, hops: frame.hops + 1 });
}

function droppedFrame(log: Logger, { from, frame, why }: { from: Link; frame: LinkFrame; why: string }): void {
  log.warn({ from: from.peer?.name, frame: frame.t, why }, 'federation: frame dropped');
}
