import type { RatchetTree } from 'ts-mls';
import { bytesEqual, copyBytes } from '../bytes.ts';
import { decodeDeviceCertificate } from '../device-certificate.ts';
import { E2eError } from '../errors.ts';
import { localUserIdOf, type MlsContext } from './auth-service.ts';

/** One leaf of the group: a device, named by the certificate the auth service accepted. */
export interface GroupMember {
  leafIndex: number;
  /** As this client's server names the user (MlsContext.localUserId), not always the certificate's text. */
  userId: string;
  deviceId: string;
  identityKey: Uint8Array;
  deviceKey: Uint8Array;
}

/** A device, as callers name the ones to remove. */
export interface DeviceRef {
  userId: string;
  deviceId: string;
}

/** Only the id mapping of the context: reading a tree checks nothing (the auth service did). */
type Naming = Pick<MlsContext, 'localUserId'>;

/** The member at `leafIndex`, or undefined for a blank leaf. Leaves sit at even node indexes. */
export function memberAt(tree: RatchetTree, leafIndex: number, naming: Naming): GroupMember | undefined {
  const node = tree[leafIndex * 2];
  if (node?.nodeType !== 'leaf') return undefined;
  const { credential, signaturePublicKey } = node.leaf;
  if (credential.credentialType !== 'basic') throw new E2eError('E2E_BAD_CREDENTIAL', 'a leaf without a Parley certificate', { problem: 'malformed' });
  const cert = decodeDeviceCertificate(credential.identity);
  return { leafIndex, userId: localUserIdOf(cert, naming), deviceId: cert.deviceId, identityKey: copyBytes(cert.identityKey), deviceKey: copyBytes(signaturePublicKey) };
}

export function membersOf(tree: RatchetTree, naming: Naming): GroupMember[] {
  const members: GroupMember[] = [];
  for (let leaf = 0; leaf * 2 < tree.length; leaf++) {
    const member = memberAt(tree, leaf, naming);
    if (member) members.push(member);
  }
  return members;
}

/**
 * What a commit changed. A device is the same member when its leaf index and device key stay;
 * a leaf reused by a newcomer counts as one removal and one addition.
 */
export function membershipChange(before: GroupMember[], after: GroupMember[]): { added: GroupMember[]; removed: GroupMember[] } {
  const same = (a: GroupMember, b: GroupMember) => a.leafIndex === b.leafIndex && bytesEqual(a.deviceKey, b.deviceKey);
  return {
    added: after.filter((m) => !before.some((b) => same(m, b))),
    removed: before.filter((m) => !after.some((a) => same(m, a))),
  };
}
