import { ParleyError } from '@parley/protocol';
import type { Config } from '../config/schema.ts';
import type { FederationStore, PeerRecord } from '../store/store.ts';
import type { LinkPeer } from './link.ts';

/**
 * The servers this one knows: each id pinned to the name it first linked with (trust on first
 * use, or the id a configured peer names), so no other key can take over a known name, and a
 * denied server stays out whoever relays for it.
 */
export class PeerDirectory {
  readonly #byId = new Map<string, PeerRecord>();
  readonly #byName = new Map<string, PeerRecord>();

  constructor(
    private readonly store: FederationStore,
    private readonly config: () => Config,
    private readonly self: { id: string; name: string },
  ) {}

  async load(): Promise<void> {
    for (const peer of await this.store.peers()) this.#index(peer);
  }

  byId(id: string): PeerRecord | undefined {
    return this.#byId.get(id);
  }

  byName(name: string): PeerRecord | undefined {
    return this.#byName.get(name.toLowerCase());
  }

  list(): PeerRecord[] {
    return [...this.#byId.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Whether anything this server originates or homes is dropped. */
  isDenied(id: string): boolean {
    const { allowlist, denylist } = this.config().federation;
    return denylist.includes(id) || (this.#byId.get(id)?.denied ?? false) || (allowlist.length > 0 && !allowlist.includes(id));
  }

  /** Why a server that proved `peer.id` may not link, or undefined. `expected`: the id a configured peer pins. */
  refusal(peer: LinkPeer, expected: string | undefined): ParleyError | undefined {
    const refuse = (why: string) => new ParleyError('FEDERATION_PEER_REFUSED', why);
    if (expected !== undefined && expected !== peer.id) return refuse(`expected server ${expected}, got ${peer.id}`);
    if (this.isDenied(peer.id)) return refuse(`server ${peer.id} is not allowed to link here`);
    const name = peer.name.toLowerCase();
    if (name === this.self.name.toLowerCase()) return refuse(`"${peer.name}" is this server's own name`);
    const holder = this.#byName.get(name);
    if (holder && holder.id !== peer.id) return refuse(`the name "${peer.name}" belongs to server ${holder.id}`);
    const known = this.#byId.get(peer.id);
    if (known && known.name !== name) return refuse(`server ${peer.id} is known here as "${known.name}", not "${peer.name}"`);
    return undefined;
  }

  /** A peer proved its key: pin it (first use) and note when and where it was seen. */
  async seen(peer: LinkPeer, address: string | undefined): Promise<PeerRecord> {
    const known = this.#byId.get(peer.id);
    const addresses = address ? [address, ...(known?.addresses ?? []).filter((a) => a !== address)].slice(0, 8) : (known?.addresses ?? []);
    const record: PeerRecord = { id: peer.id, name: peer.name.toLowerCase(), addresses, lastSeen: Date.now(), denied: known?.denied ?? false };
    await this.store.savePeer(record);
    this.#index(record);
    return record;
  }

  /**
   * A server heard of through the links, by its own signed announcement: its name is pinned to
   * its id as for a link (false when the name or the id is pinned otherwise here).
   */
  learn(a: { id: string; name: string; addresses: string[]; ts: number }): boolean {
    const name = a.name.toLowerCase();
    if (name === this.self.name.toLowerCase() || a.id === this.self.id) return false;
    const holder = this.#byName.get(name);
    if (holder && holder.id !== a.id) return false;
    const known = this.#byId.get(a.id);
    if (known && known.name !== name) return false;
    if (known) return true;
    const record: PeerRecord = { id: a.id, name, addresses: a.addresses.slice(0, 8), lastSeen: a.ts, denied: false };
    this.#index(record);
    void this.store.savePeer(record).catch(() => undefined);
    return true;
  }

  async deny(id: string, denied: boolean): Promise<void> {
    const known = this.#byId.get(id);
    if (!known) return;
    const record = { ...known, denied };
    await this.store.savePeer(record);
    this.#index(record);
  }

  #index(peer: PeerRecord): void {
    this.#byId.set(peer.id, peer);
    this.#byName.set(peer.name, peer);
  }
}
