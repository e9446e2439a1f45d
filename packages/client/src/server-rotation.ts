import { parseServerUrl, type ServerUrl } from './url.ts';

/**
 * The addresses of one server (its nodes, or one name and its fallbacks), tried in turn: a client
 * stays on the address that works and moves to the next one, round-robin, when a connection to
 * it fails or is lost. Any node of a cluster serves any user, and cursors are the server's, so a
 * client resumes on the next node where it stopped on the last.
 */
export class ServerRotation {
  readonly all: readonly ServerUrl[];
  #index = 0;

  constructor(urls: string | readonly string[]) {
    const list = typeof urls === 'string' ? [urls] : urls;
    if (list.length === 0) throw new Error('No server address given');
    this.all = list.map((url) => parseServerUrl(url));
  }

  get current(): ServerUrl {
    return this.all[this.#index] as ServerUrl;
  }

  /** Moves to the next address; true when that starts a new round (every address was tried). */
  advance(): boolean {
    this.#index = (this.#index + 1) % this.all.length;
    return this.#index === 0;
  }
}
