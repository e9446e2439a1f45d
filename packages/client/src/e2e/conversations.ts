import { MlsGroup, type MlsContext } from '@parley/e2e';
import type { ChatMessage } from '@parley/protocol';
import { SerialQueues } from './serial.ts';
import { readJson, STORAGE_KEYS, writeJson, type E2eStorage } from './storage.ts';

/** What this device keeps about one encrypted conversation besides its MLS state. */
export interface ConvMeta {
  conv: string;
  /** The other person's name, or the room's: `to` for the group verbs and the directory (a guest's may change). */
  peer?: string;
  /** The group (base64url id) the MLS state belongs to. */
  group?: string;
  /** Every message up to this seq went through the group, in order. */
  processed: number;
  /** Seqs above `processed` this device sent itself (its commits and messages: nothing to read). */
  own: number[];
  /** Messages up to this seq came before this device joined: they cannot be decrypted here. */
  joinedSeq: number;
  /** The group was made here and EGROUP has not answered yet: made again with the same id. */
  unregistered?: true;
  /** When this device last replaced its own path keys (an empty commit), ms; absent: never (it joined). */
  updatedAt?: number;
  /** When this device joined from a Welcome, ms: the periodic update is due an interval after it if it never sent. */
  joinedAt?: number;
}

/** A conversation's live state: only ever used inside its conversation's queue task. */
export interface ConvState {
  meta: ConvMeta;
  group: MlsGroup | undefined;
  /** Messages for an epoch not reached yet (or a commit whose identity is not accepted yet): retried after the next commit. */
  buffer: ChatMessage[];
}

const MAX_OWN = 1000;

/** A saved conversation (the layout below): its metadata, and the group state's bytes. */
function splitSaved(bytes: Uint8Array | undefined): { meta: ConvMeta; group: Uint8Array } | undefined {
  if (!bytes || bytes.length < 4) return undefined;
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0);
  const meta = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + length))) as ConvMeta;
  return { meta, group: bytes.subarray(4 + length) };
}

/**
 * Each conversation's group state and metadata, saved as one value (so the seq a state has read
 * up to never disagrees with the state), plus the list of conversations this device has a group
 * for. Saved after every step that changed the group, before its output leaves the device.
 *
 *     u32(meta length) meta(JSON) [group state (MlsGroup.save)]
 */
export class ConversationStore {
  private readonly states = new Map<string, ConvState>();
  private index: Set<string> | undefined;
  /** Plaintext messages of known conversations, seen live: they fill no gap in the group's order. */
  private readonly plain = new Map<string, Set<number>>();
  private readonly indexQueue = new SerialQueues();

  constructor(
    private readonly storage: E2eStorage,
    private readonly context: MlsContext,
  ) {}

  async open(): Promise<void> {
    this.index ??= new Set((await readJson<string[]>(this.storage, STORAGE_KEYS.conversations)) ?? []);
  }

  list(): string[] {
    return [...(this.index ?? [])];
  }

  known(conv: string): boolean {
    return this.index?.has(conv) ?? false;
  }

  notePlain(conv: string, seq: number): void {
    if (!this.known(conv)) return;
    const seen = this.plain.get(conv) ?? new Set();
    seen.add(seq);
    this.plain.set(conv, seen);
  }

  /** The conversation's state if it is loaded (for a quick look outside its queue). */
  loaded(conv: string): ConvState | undefined {
    return this.states.get(conv);
  }

  /** The other person's name, when the conversation's state is loaded. */
  peerOf(conv: string): string | undefined {
    return this.states.get(conv)?.meta.peer;
  }

  /**
   * The conversation's metadata, for a look outside its queue (a search of the archive): the
   * loaded state's, or read from storage without loading the group or caching anything, so no
   * second state of the conversation is ever made beside the queue's.
   */
  async peekMeta(conv: string): Promise<ConvMeta | undefined> {
    const loaded = this.states.get(conv);
    if (loaded) return { ...loaded.meta, own: [...loaded.meta.own] };
    return splitSaved(await this.storage.get(STORAGE_KEYS.conversation(conv)))?.meta;
  }

  /** The conversation's state; a new one (no group) when this device has none. */
  async get(conv: string): Promise<ConvState> {
    const cached = this.states.get(conv);
    if (cached) return cached;
    const state = (await this.load(conv)) ?? { meta: { conv, processed: 0, own: [], joinedSeq: 0 }, group: undefined, buffer: [] };
    this.states.set(conv, state);
    return state;
  }

  /** Moves `processed` over every seq handled already (own messages, plaintext seen live). */
  settle(state: ConvState): void {
    const { meta } = state;
    const plain = this.plain.get(meta.conv);
    while (meta.own.includes(meta.processed + 1) || plain?.has(meta.processed + 1)) meta.processed += 1;
    meta.own = meta.own.filter((seq) => seq > meta.processed).slice(-MAX_OWN);
    if (plain) for (const seq of plain) if (seq <= meta.processed) plain.delete(seq);
  }

  async save(state: ConvState): Promise<void> {
    this.settle(state);
    const meta = new TextEncoder().encode(JSON.stringify(state.meta));
    const group = state.group?.save() ?? new Uint8Array(0);
    const bytes = new Uint8Array(4 + meta.length + group.length);
    new DataView(bytes.buffer).setUint32(0, meta.length);
    bytes.set(meta, 4);
    bytes.set(group, 4 + meta.length);
    await this.storage.set(STORAGE_KEYS.conversation(state.meta.conv), bytes);
    if (state.group && !this.known(state.meta.conv)) await this.addToIndex(state.meta.conv);
  }

  private async load(conv: string): Promise<ConvState | undefined> {
    const split = splitSaved(await this.storage.get(STORAGE_KEYS.conversation(conv)));
    if (!split) return undefined;
    return { meta: split.meta, group: split.group.length > 0 ? MlsGroup.load(split.group, this.context) : undefined, buffer: [] };
  }

  private addToIndex(conv: string): Promise<void> {
    // Several conversations may be saved at once: the list is written one change at a time.
    return this.indexQueue.run('index', async () => {
      await this.open();
      this.index?.add(conv);
      await writeJson(this.storage, STORAGE_KEYS.conversations, this.list());
    });
  }
}
