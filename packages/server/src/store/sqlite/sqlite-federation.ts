import type { AppendResult, NewMessage, StoredMessage } from '../store.ts';
import { toWelcome, type WelcomeRow } from '../e2e-rows.ts';
import { StoreError } from '../store.ts';
import type {
  FederatedEventRecord,
  FederationStore,
  MirroredRoomRecord,
  OutboxRecord,
  PeerRecord,
  RemoteMemberRecord,
  ReplicaAppendResult,
  Sealer,
} from '../federation-store.ts';
import type { AppendTransaction } from './sqlite-append.ts';
import type { SqliteParts } from './sqlite-parts.ts';
import { toStoredMessage, type MessageRow } from './sqlite-rows.ts';

interface PeerRow {
  id: string;
  name: string;
  addresses: string;
  last_seen: number;
  denied: number;
}

/**
 * The federation part of the SQLite store: plain prepared statements, and the two appends as
 * better-sqlite3 transactions around the message log's own append (sqlite-append.ts), so a
 * message and its signed event commit together.
 */
export function sqliteFederation({ sqlite, run }: SqliteParts, append: AppendTransaction): FederationStore {
  const lastEvent = sqlite.prepare<[string], { seq: number; hash: string }>(`SELECT seq, hash FROM fed_events WHERE conv = ? ORDER BY seq DESC LIMIT 1`);
  const insertEvent = sqlite.prepare<[string, number, string, number, string, string]>(
    `INSERT INTO fed_events (conv, seq, origin, sub, hash, envelope) VALUES (?, ?, ?, ?, ?, ?)`,
  );
  const eventAt = sqlite.prepare<[string, number], { hash: string }>(`SELECT hash FROM fed_events WHERE conv = ? AND seq = ?`);
  const unsealed = sqlite.prepare<[string, number], MessageRow>(
    `SELECT conv, seq, sender_id, sender_name, target, body, cmid, kind, ref, created_at FROM messages WHERE conv = ? AND seq > ? ORDER BY seq`,
  );
  const readCounter = sqlite.prepare<[string], number>(`SELECT value FROM fed_counters WHERE name = ?`).pluck();
  const writeCounter = sqlite.prepare<[string, number]>(
    `INSERT INTO fed_counters (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value`,
  );
  const setLastSeq = sqlite.prepare<[string, number]>(
    `INSERT INTO conversations (id, last_seq) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET last_seq = excluded.last_seq`,
  );
  const lastMessageSeq = sqlite.prepare<[string], number>(`SELECT last_seq FROM conversations WHERE id = ?`).pluck();
  // Asked at every event sent to a follower and every submission: prepared once.
  const readEventsAfter = sqlite.prepare<[string, number, number], FederatedEventRecord>(`SELECT * FROM fed_events WHERE conv = ? AND seq > ? ORDER BY seq LIMIT ?`);
  const readEventOfSubmission = sqlite.prepare<[string, number], FederatedEventRecord>(`SELECT * FROM fed_events WHERE origin = ? AND sub = ?`);

  const nextSubSync = (): number => {
    const value = (readCounter.get('sub') ?? 0) + 1;
    writeCounter.run('sub', value);
    return value;
  };

  // Where sealing began, for a room without events yet (startSealing): the seq before the first one to seal.
  const startMark = (conv: string): { seq: number; hash: string } | undefined => {
    const seq = readCounter.get(`start:${conv}`);
    return seq === undefined ? undefined : { seq, hash: '' };
  };

  const sealTx = sqlite.transaction((conv: string, batch: readonly NewMessage[], seal: Sealer): AppendResult[] => {
    let last = lastEvent.get(conv) ?? startMark(conv);
    if (!last) throw new StoreError('conflict', `${conv} is not sealed: startSealing comes first`);
    const sealed = (message: StoredMessage, index: number | undefined) => {
      const made = seal(message, { prev: last!.hash, index, nextSub: nextSubSync });
      insertEvent.run(conv, message.seq, made.origin, made.sub, made.hash, made.envelope);
      last = { seq: message.seq, hash: made.hash };
    };
    // Every message after the last event, whichever path wrote it (the message writer, e2e
    // commits), then the batch's: each sealed in seq order, chained to the one before.
    for (const row of unsealed.all(conv, last.seq)) sealed(toStoredMessage(row), undefined);
    const results = batch.length > 0 ? append.immediate(batch) : [];
    results.forEach((result, index) => {
      if (!result.duplicate) sealed(result.message, index);
    });
    return results;
  });

  const startTx = sqlite.transaction((conv: string): void => {
    if (lastEvent.get(conv) || startMark(conv)) return;
    writeCounter.run(`start:${conv}`, lastMessageSeq.get(conv) ?? 0);
  });

  const replicaOne = (event: FederatedEventRecord, message: NewMessage): ReplicaAppendResult => {
    const existing = eventAt.get(event.conv, event.seq);
    if (existing) return existing.hash === event.hash ? { kind: 'duplicate' } : { kind: 'conflict', stored: existing.hash };
    const last = lastEvent.get(event.conv);
    if (last && last.seq !== event.seq - 1) return last.seq >= event.seq ? { kind: 'duplicate' } : { kind: 'gap', last: last.seq };
    if (!last && (lastMessageSeq.get(event.conv) ?? 0) !== event.seq - 1) {
      // A mirror starts at the seq it joined at: its message log continues from the event before.
      setLastSeq.run(event.conv, event.seq - 1);
      append.forget();
    }
    const [result] = append.immediate([{ ...message, conv: event.conv }]);
    if (!result || result.duplicate || result.message.seq !== event.seq) {
      throw new StoreError('conflict', `the mirror of ${event.conv} is out of step: its message log did not take seq ${event.seq}`);
    }
    insertEvent.run(event.conv, event.seq, event.origin, event.sub, event.hash, event.envelope);
    return { kind: 'stored', message: result.message };
  };
  const replicaTx = sqlite.transaction(replicaOne);
  const replicasTx = sqlite.transaction((items: readonly { event: FederatedEventRecord; message: NewMessage }[]): ReplicaAppendResult[] => {
    const results: ReplicaAppendResult[] = [];
    for (const { event, message } of items) {
      const result = replicaOne(event, message);
      results.push(result);
      if (result.kind === 'gap' || result.kind === 'conflict') break;
    }
    return results;
  });

  const toPeer = (row: PeerRow): PeerRecord => ({ id: row.id, name: row.name, addresses: JSON.parse(row.addresses) as string[], lastSeen: row.last_seen, denied: row.denied === 1 });

  return {
    peers: () => run('reading federation peers', async () => sqlite.prepare<[], PeerRow>(`SELECT * FROM fed_peers ORDER BY name`).all().map(toPeer)),
    savePeer: (peer) =>
      run('saving a federation peer', async () => {
        sqlite
          .prepare(
            `INSERT INTO fed_peers (id, name, addresses, last_seen, denied) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT(id) DO UPDATE SET name = excluded.name, addresses = excluded.addresses, last_seen = excluded.last_seen, denied = excluded.denied`,
          )
          .run(peer.id, peer.name, JSON.stringify(peer.addresses), peer.lastSeen, peer.denied ? 1 : 0);
      }, true),
    mirroredRooms: () => run('reading mirrored rooms', async () => sqlite.prepare<[], MirroredRoomRecord>(`SELECT conv, home, room, start FROM fed_mirrored_rooms`).all()),
    saveMirroredRoom: (room) =>
      run('saving a mirrored room', async () => {
        sqlite.prepare(`INSERT INTO fed_mirrored_rooms (conv, home, room, start) VALUES (?, ?, ?, ?) ON CONFLICT(conv) DO NOTHING`).run(room.conv, room.home, room.room, room.start);
      }),
    followers: () =>
      run('reading followers', async () => {
        const map = new Map<string, string[]>();
        for (const row of sqlite.prepare<[], { conv: string; server: string }>(`SELECT conv, server FROM fed_followers`).all()) {
          map.set(row.conv, [...(map.get(row.conv) ?? []), row.server]);
        }
        return map;
      }),
    setFollower: (conv, server, on) =>
      run('saving a follower', async () => {
        if (on) sqlite.prepare(`INSERT OR IGNORE INTO fed_followers (conv, server) VALUES (?, ?)`).run(conv, server);
        else sqlite.prepare(`DELETE FROM fed_followers WHERE conv = ? AND server = ?`).run(conv, server);
      }),
    remoteMembers: () =>
      run('reading remote members', async () => sqlite.prepare<[], RemoteMemberRecord>(`SELECT conv, user_id AS userId, name, server FROM fed_remote_members`).all()),
    setRemoteMember: (m, on) =>
      run('saving a remote member', async () => {
        if (on) sqlite.prepare(`INSERT OR REPLACE INTO fed_remote_members (conv, user_id, name, server) VALUES (?, ?, ?, ?)`).run(m.conv, m.userId, m.name, m.server);
        else sqlite.prepare(`DELETE FROM fed_remote_members WHERE conv = ? AND user_id = ?`).run(m.conv, m.userId);
      }),
    lastEventSeq: (conv) => run('reading the last event', async () => lastEvent.get(conv)?.seq ?? 0),
    eventsAfter: (conv, after, limit) =>
      run('reading events', async () => readEventsAfter.all(conv, after, limit)),
    eventOfSubmission: (origin, sub) =>
      run('reading an event', async () => readEventOfSubmission.get(origin, sub)),
    startSealing: (conv) => run('starting to seal a room', async () => startTx.immediate(conv)),
    appendSealed: (conv, batch, seal) =>
      run('appending sealed messages', async () => {
        try {
          return sealTx.immediate(conv, batch, seal);
        } catch (error) {
          append.forget();
          throw error;
        }
      }),
    appendReplica: (event, message) =>
      run('appending a mirrored event', async () => {
        try {
          return replicaTx.immediate(event, message);
        } catch (error) {
          append.forget();
          throw error;
        }
      }),
    appendReplicas: (items) =>
      run('appending mirrored events', async () => {
        try {
          return replicasTx.immediate(items);
        } catch (error) {
          append.forget();
          throw error;
        }
      }),
    nextSub: () => run('counting submissions', async () => sqlite.transaction(nextSubSync).immediate()),
    addOutbox: (e: OutboxRecord) =>
      run('queueing a submission', async () => {
        sqlite.prepare(`INSERT OR IGNORE INTO fed_outbox (sub, conv, submission, created_at) VALUES (?, ?, ?, ?)`).run(e.sub, e.conv, e.submission, e.createdAt);
      }),
    outbox: () =>
      run('reading the outbox', async () =>
        sqlite.prepare<[], OutboxRecord>(`SELECT sub, conv, submission, created_at AS createdAt FROM fed_outbox ORDER BY sub`).all(),
      ),
    removeOutbox: (sub) =>
      run('clearing an outbox entry', async () => {
        sqlite.prepare(`DELETE FROM fed_outbox WHERE sub = ?`).run(sub);
      }),
    putWelcome: (w) =>
      run('keeping a federated welcome', async () => {
        sqlite
          .prepare(
            `INSERT OR REPLACE INTO fed_welcomes (user_id, device_id, group_id, conv, epoch, seq, welcome, tree, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(w.userId, w.deviceId, w.groupId, w.conv, w.epoch, w.seq, w.welcome, w.tree, w.createdAt);
      }),
    welcomesFor: (device) =>
      run('reading federated welcomes', async () =>
        sqlite.prepare<[string, string], WelcomeRow>(`SELECT * FROM fed_welcomes WHERE user_id = ? AND device_id = ? ORDER BY created_at, group_id`).all(device.userId, device.deviceId).map(toWelcome),
      ),
    deleteWelcome: (device, groupId) =>
      run('deleting a federated welcome', async () => {
        sqlite.prepare(`DELETE FROM fed_welcomes WHERE user_id = ? AND device_id = ? AND group_id = ?`).run(device.userId, device.deviceId, groupId);
      }),
    welcomesOfOtherServers: () =>
      run("reading other servers' welcomes", async () =>
        sqlite.prepare<[], WelcomeRow>(`SELECT * FROM e2e_welcomes WHERE instr(user_id, '@') > 0 ORDER BY created_at`).all().map(toWelcome),
      ),
  };
}
