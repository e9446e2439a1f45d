import { parseServerUrl, type ServerUrl } from './url.ts';

/**
 * The addresses of one server (its nodes, or one name and its fallbacks), tried in turn: a client
 * stays on the address that works and moves to the next one, round-robin, when a connection to
 * it fails or is lost. Any node of a cluster serves any user, and cursors are the server's, so a
 * client resumes on the next node where it stopped on the last.
 *
 * It also counts the addresses that failed (or whose connection was lost) since the last
 * connection that worked: the next untried one is tried at once, and a backoff delay is due once
 * every address has failed, so with one address every retry waits for it.
 */
export class ServerRotation {
  readonly all: readonly ServerUrl[];
  #index = 0;
  #failed = 0;
  #lostAt = 0;
  /** The address of the last connection that worked. */
  lastConnected: string | undefined;

  constructor(urls: string | readonly string[]) {
    const list = typeof urls === 'string' ? [urls] : urls;
    if (list.length === 0) throw new Error('No server address given');
    this.all = list.map((url) => parseServerUrl(url));
  }

  get current(): ServerUrl {
    return this.all[this.#index] as ServerUrl;
  }

  connected(): void {
    this.#failed = 0;
    this.lastConnected = this.current.href;
  }

  /** The connection that worked ended. */
  lost(): void {
    this.#lostAt = Date.now();
  }

  /** Ms since the last working connection ended. */
  sinceLost(): number {
    return Date.now() - this.#lostAt;
  }

  /** This address failed, or its connection was lost. */
  failed(): void {
    this.#failed += 1;
  }

  /** Whether some address has not failed yet in this round. */
  untriedLeft(): boolean {
    return this.#failed < this.all.length;
  }

  /** Moves to the next address; true when every address failed in a row, so wait before trying it. */
  advance(): boolean {
    this.#index = (this.#index + 1) % this.all.length;
    if (this.untriedLeft()) return false;
    this.#failed = 0;
    return true;
  }
}
