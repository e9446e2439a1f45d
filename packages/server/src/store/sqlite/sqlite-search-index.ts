import type Database from 'better-sqlite3';

/** Rows indexed per transaction (some 10 ms of work), so a burst of messages never waits long behind it. */
const BATCH = 500;
/** While messages are coming in, the background indexes this many rows a tick (some 1 ms of CPU). */
const BUSY_BATCH = 50;
const TICK_MS = 250;
/** Appends within this long mean the server is busy: index slowly. */
const BUSY_MS = 100;
const CATCH_UP_MAX = 20_000;

/**
 * Keeps the full-text index (migration 0014) up with the messages, off the append: the queue a
 * trigger fills is indexed in small transactions on a timer, at full speed when no message came
 * in for a moment and slowly while they do, and completely before every search (`catchUp`), so
 * a search always sees every message stored before it.
 */
export class SearchIndexer {
  #lastAppend = 0;
  readonly #timer: NodeJS.Timeout;
  readonly #batch: (limit: number) => number;

  constructor(sqlite: Database.Database) {
    // Newest first: after an upgrade queues the whole history, what people wrote lately is searchable at once.
    const next = sqlite.prepare<[number], { id: number; message: number }>(`SELECT id, message FROM message_search_queue ORDER BY id DESC LIMIT ?`);
    // A row may be queued twice (edited body, a reused rowid): index what it says now, once.
    const drop = sqlite.prepare<[number]>(`DELETE FROM message_search WHERE rowid = ?`);
    const index = sqlite.prepare<[number]>(
      `INSERT INTO message_search (rowid, body) SELECT rowid, body FROM messages WHERE rowid = ? AND (kind IS NULL OR kind IN ('action', 'edit')) AND body <> ''`,
    );
    // The batch is the top of the queue: every id from its lowest up.
    const done = sqlite.prepare<[number]>(`DELETE FROM message_search_queue WHERE id >= ?`);
    this.#batch = sqlite.transaction((limit: number): number => {
      const rows = next.all(limit);
      const seen = new Set<number>();
      for (const row of rows) {
        if (seen.has(row.message)) continue;
        seen.add(row.message);
        drop.run(row.message);
        index.run(row.message);
      }
      const lowest = rows.at(-1);
      if (lowest) done.run(lowest.id);
      return rows.length;
    });
    this.#timer = setInterval(() => this.#tick(), TICK_MS);
    this.#timer.unref();
  }

  /** An append happened: the server is busy, so the background slows down. */
  noteAppend(): void {
    this.#lastAppend = Date.now();
  }

  /**
   * Indexes what is queued before a search, up to CATCH_UP_MAX rows (some half a second): after
   * an upgrade the whole stored history waits in the queue, and a search must not hold the
   * server for minutes; the background works through the rest.
   */
  catchUp(): void {
    for (let done = 0; done < CATCH_UP_MAX; done += BATCH) if (this.#batch(BATCH) < BATCH) return;
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  #tick(): void {
    try {
      this.#batch(Date.now() - this.#lastAppend < BUSY_MS ? BUSY_BATCH : BATCH);
    } catch {
      // A busy or closed database: the next tick, or the next search, tries again.
    }
  }
}
