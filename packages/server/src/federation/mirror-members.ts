import type { FrameOf } from './link-frames.ts';

/**
 * Who is in each mirrored room besides this server's own users (absolute names, `bob@b.example`),
 * as its home last said: the whole list to every new follower (`members`), then each join and
 * part. This server's own users are its room members, not listed here.
 */
export class MirrorMembers {
  readonly #members = new Map<string, Set<string>>();

  constructor(private readonly ownServerName: () => string) {}

  of(conv: string): string[] {
    return [...(this.#members.get(conv) ?? [])];
  }

  track(conv: string, frame: Pick<FrameOf<'room'>, 'what' | 'user' | 'members'>): void {
    const own = `@${this.ownServerName()}`;
    let set = this.#members.get(conv);
    if (frame.what === 'members') this.#members.set(conv, (set = new Set((frame.members ?? []).filter((n) => !n.endsWith(own)))));
    if (!set) this.#members.set(conv, (set = new Set()));
    if (!frame.user || frame.user.endsWith(own)) return;
    if (frame.what === 'join') set.add(frame.user);
    if (frame.what === 'part') set.delete(frame.user);
  }

  forget(conv: string): void {
    this.#members.delete(conv);
  }
}
