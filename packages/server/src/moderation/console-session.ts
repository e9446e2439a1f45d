import { decodeUtf8 } from '@parley/protocol';
import type { ServerContext } from '../core/context.ts';
import { Session } from '../core/session.ts';
import { User } from '../chat/user.ts';

/**
 * The server console's connection: a text-mode session that is not on the network, logged in
 * as "console" with the owner role. Its lines go through the same command table as any
 * client's (KICK, BAN, BROADCAST, LISTBANS, …) and its replies come back as text lines, so the
 * console needs no command code of its own. It is not in the user directory: nobody can
 * message it, and it does not count as a connection.
 */
export interface ConsoleSession {
  run(line: string): Promise<void>;
  close(): void;
}

export function openConsoleSession(server: ServerContext, write: (text: string) => void): ConsoleSession {
  const sink = {
    destroyed: false,
    writableLength: 0,
    write(chunk: Uint8Array): boolean {
      write(decodeUtf8(chunk));
      return true;
    },
    cork: () => undefined,
    uncork: () => undefined,
    // Writes complete at once: nothing ever waits for a drain here.
    once: () => undefined,
    off: () => undefined,
  };
  const transport = { kind: 'tcp' as const, remoteAddress: 'console', sink, end: () => undefined, pause: () => undefined, resume: () => undefined };
  const session = new Session({ id: 0, transport, server, onClose: () => undefined });
  session.setMode('text', 'stream');
  const { messages_per_minute: perMinute, message_burst: burst } = server.config.limits;
  session.signedIn(new User({ id: 'console', name: 'console', accountId: undefined, rate: { perMinute, burst } }));
  server.moderation.markConsole(session);
  return {
    async run(line: string): Promise<void> {
      session.receive({ kind: 'line', text: line });
      await session.idle();
      session.flush();
    },
    close: () => session.close('quit'),
  };
}
