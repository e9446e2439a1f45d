import { higherServerRole, foldName, roomRoleAtLeast, serverRoleAtLeast, type RoomRole, type ServerRole } from '@parley/protocol';
import type { ChatStore } from './chat-store.ts';

/**
 * What the signed-in user may do as a moderator: their server role and their role in
 * each room, read with `userinfo` on themselves. It only decides which actions the UI offers;
 * the server checks every command again (docs/protocol.md, section 17) and its FORBIDDEN is
 * shown to the person. Kept apart from ChatStore, which it only reads.
 *
 * Roles change while connected (a grant, a `roomrole`, a room created by joining it), so it
 * reads them again after every (re)connect, after each of our own joins, on every notice
 * (role changes arrive as notices) and whenever a member's actions menu opens.
 */
export class Permissions {
  serverRole: ServerRole = 'guest';
  private readonly roomRoles = new Map<string, RoomRole>();
  private readonly listeners = new Set<() => void>();
  private running = false;
  private again = false;
  /** The stored role, from `userinfo`; `oper` may raise this connection above it. */
  private accountRole: ServerRole = 'guest';
  private operRole: ServerRole | undefined;

  constructor(private readonly store: ChatStore) {
    const { client } = store;
    client.on('state', ({ state }) => {
      // An `oper` elevation ends with its connection; a reconnect is a new one.
      if (state === 'reconnecting') this.operRole = undefined;
      if (state === 'connected') this.refresh();
    });
    client.on('notice', () => this.refresh());
    client.on('join', ({ user }) => {
      if (store.isMe(user)) this.refresh();
    });
    this.refresh();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get isOperator(): boolean {
    return serverRoleAtLeast(this.serverRole, 'operator');
  }

  roomRole(room: string): RoomRole {
    return this.roomRoles.get(foldName(room)) ?? 'member';
  }

  /**
   * Room moderation (kick, mute and unmute, room bans, modes, invitations): server operators
   * anywhere, a room's moderators and owners in it (the table's `roomRole: 'moderator'`).
   */
  canModerate(room: string): boolean {
    return this.isOperator || roomRoleAtLeast(this.roomRole(room), 'moderator');
  }

  /** `roomrole`: server operators anywhere, and the room's owners (not its moderators). */
  canSetRoles(room: string): boolean {
    return this.isOperator || this.roomRole(room) === 'owner';
  }

  /** Server bans by account: operators and owners only. */
  get canBan(): boolean {
    return this.isOperator;
  }

  /** Reads the roles again; calls that come while one runs are folded into one more. Never throws. */
  refresh(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void this.load().finally(() => {
      this.running = false;
      if (this.again) {
        this.again = false;
        this.refresh();
      }
    });
  }

  private async load(): Promise<void> {
    if (!this.store.me) return;
    try {
      const info = await this.store.client.request('userinfo', { name: this.store.me });
      this.accountRole = info.role;
      this.roomRoles.clear();
      for (const room of info.rooms) this.roomRoles.set(foldName(room.name), room.role);
    } catch {
      // Offline or refused: keep what we had; the next connect or menu asks again.
      return;
    }
    this.update();
  }

  /** After a successful `oper`: this connection holds `role` until it closes. */
  noteOper(role: ServerRole): void {
    this.operRole = role;
    this.update();
  }

  private update(): void {
    const oper = this.operRole;
    this.serverRole = oper ? higherServerRole(this.accountRole, oper) : this.accountRole;
    for (const listener of this.listeners) listener();
  }
}

const byStore = new WeakMap<ChatStore, Permissions>();

/** The one Permissions of a store, made on first use (after the store connected). */
export function permissionsOf(store: ChatStore): Permissions {
  let permissions = byStore.get(store);
  if (!permissions) {
    permissions = new Permissions(store);
    byStore.set(store, permissions);
  }
  return permissions;
}
