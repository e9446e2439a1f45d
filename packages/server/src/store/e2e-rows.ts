import type { E2eGroupRecord, GroupDevice, WelcomeRecord } from './e2e-store.ts';

/**
 * Row shapes the two engines share for the e2e tables (their schemas name the same columns), and
 * the mapping to records, written once.
 */
export interface GroupRow {
  group_id: string;
  conv: string;
  epoch: number;
  tree: string;
  created_at: number;
}

export interface WelcomeRow {
  user_id: string;
  device_id: string;
  group_id: string;
  conv: string;
  epoch: number;
  seq: number;
  welcome: string;
  tree: string;
  created_at: number;
}

export function toGroup(row: GroupRow): E2eGroupRecord {
  return { groupId: row.group_id, conv: row.conv, epoch: row.epoch, tree: row.tree, createdAt: row.created_at };
}

export function toWelcome(row: WelcomeRow): WelcomeRecord {
  return {
    userId: row.user_id,
    deviceId: row.device_id,
    groupId: row.group_id,
    conv: row.conv,
    epoch: row.epoch,
    seq: row.seq,
    welcome: row.welcome,
    tree: row.tree,
    createdAt: row.created_at,
  };
}

/** A device listed twice in one commit counts once (PostgreSQL's ON CONFLICT refuses a row twice in one statement). */
export function distinctDevices(devices: readonly GroupDevice[]): GroupDevice[] {
  const seen = new Map<string, GroupDevice>();
  for (const d of devices) seen.set(JSON.stringify([d.userId, d.deviceId]), d);
  return [...seen.values()];
}
