import { ParleyError, type CommandArgs } from '@parley/protocol';
import type { Session } from '../core/session.ts';

/**
 * Ratchet trees longer than a frame, as a committer sends them ahead of its ECOMMIT (ETREEPART).
 * A connection holds the parts of one tree at a time (at most MAX_TREE_PARTS of MAX_MLS_TEXT
 * characters, 1.5 MiB): parts for another group or epoch replace them, and the ECOMMIT that
 * names them by `tree_parts` takes them.
 */
interface PendingTree {
  group: string;
  epoch: number;
  parts: (string | undefined)[];
}

const pending = new WeakMap<Session, PendingTree>();

export function addTreePart(session: Session, args: CommandArgs<'etreepart'>): void {
  if (args.index >= args.count) throw new ParleyError('BAD_ARGUMENTS', `Part ${args.index} of ${args.count} does not exist: parts count from 0`);
  let tree = pending.get(session);
  if (!tree || tree.group !== args.group || tree.epoch !== args.epoch || tree.parts.length !== args.count) {
    tree = { group: args.group, epoch: args.epoch, parts: new Array<string | undefined>(args.count).fill(undefined) };
    pending.set(session, tree);
  }
  tree.parts[args.index] = args.data;
}

/** The whole tree an ECOMMIT names: every part sent, for its group and epoch. */
export function takeTree(session: Session, wanted: { group: string; epoch: number; count: number }): string {
  const tree = pending.get(session);
  const missing = tree?.group === wanted.group && tree.epoch === wanted.epoch && tree.parts.length === wanted.count ? tree.parts.findIndex((p) => p === undefined) : 0;
  if (!tree || missing !== -1) {
    throw new ParleyError('BAD_ARGUMENTS', `The commit names a tree of ${wanted.count} parts; part ${missing} of it was not sent (ETREEPART for group ${wanted.group}, epoch ${wanted.epoch})`);
  }
  pending.delete(session);
  return tree.parts.join('');
}
