import type { Emitter } from './emitter.ts';
import type { ClientEvent, ClientEvents } from './types.ts';

const EVENT_NAMES: readonly (keyof ClientEvents)[] = ['message', 'join', 'part', 'topic', 'room_deleted', 'room_lost', 'room_role', 'presence', 'nick', 'notice', 'device', 'error', 'state'];

/** Every event of a client as one async stream, in order; it ends after the `closed` state. */
export async function* eventStream(client: Emitter<ClientEvents>): AsyncGenerator<ClientEvent> {
  const queue: ClientEvent[] = [];
  let wake: (() => void) | undefined;
  const offs = EVENT_NAMES.map((type) => client.on(type, (data) => (queue.push({ type, data } as ClientEvent), wake?.())));
  try {
    for (;;) {
      const next = queue.shift();
      if (next) {
        yield next;
        if (next.type === 'state' && next.data.state === 'closed') return;
        continue;
      }
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    for (const off of offs) off();
  }
}
