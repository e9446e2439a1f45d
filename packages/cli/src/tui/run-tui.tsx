import { ParleyClient, type ParleyClientError } from '@parley/client';
import { render } from 'ink';
import type { ChatOptions } from '../chat-options.ts';
import { chatTransport } from '../chat-options.ts';
import { prepareE2e, serverDirName } from '../chat-e2e.ts';
import { drainWithin, e2eReadyWithin } from '../drain-on-quit.ts';
import { ChatSender } from '../send-order.ts';
import { App } from './app.tsx';
import type { TrustInfo } from './connection-status.ts';

const ENTER_ALT_SCREEN = '\u001b[?1049h\u001b[H';
const LEAVE_ALT_SCREEN = '\u001b[?1049l';
/** How long the UI waits for this login's end-to-end device before it shows. */
const E2E_READY_WAIT_MS = 5000;

/**
 * `parley chat <url>` on a terminal: connect first (asking about an unknown server the way SSH
 * does, on the normal screen), then the full-screen UI on the alternate screen, which is left
 * as it was found on exit.
 */
export async function runTui(options: ChatOptions): Promise<number> {
  // Set at every TLS handshake: "newly pinned" at first contact becomes "pinned" after a reconnect.
  let trust: TrustInfo;
  const setup = await prepareE2e(options);
  const client = new ParleyClient({
    url: options.urls,
    credentials: options.credentials,
    clientName: 'parley-chat-tui',
    transport: chatTransport(options, (peer, how) => (trust = { how, fingerprint: peer.fingerprint })),
    ...(setup.options ? { e2e: setup.options } : {}),
  });
  const blocked = setup.failure === undefined ? undefined : `end-to-end encryption could not be set up on this machine: ${setup.failure}`;
  const sender = new ChatSender(client, blocked);
  const e2e = {
    failure: setup.failure,
    created: setup.created,
    account: options.credentials.kind === 'guest' ? undefined : options.credentials.name,
    server: serverDirName(options.urls[0] ?? ''),
  };
  const others = client.servers.all.length - 1;
  process.stderr.write(`connecting to ${client.url.href}${others > 0 ? ` (or ${others} more)` : ""}…\n`);
  try {
    await client.connect();
  } catch (error) {
    const failure = error as ParleyClientError;
    process.stderr.write(`parley chat: ${failure.errorName}: ${failure.message}\n`);
    return 1;
  }
  // The device is set up before the UI shows (a DM typed at once finds it); a failure is said in the UI.
  await e2eReadyWithin(client, E2E_READY_WAIT_MS);

  let undelivered = false;
  const onQuit = async () => {
    undelivered = !(await drainWithin(client, { sends: () => sender.idle() }));
    await client.close();
  };

  process.stdout.write(ENTER_ALT_SCREEN);
  const instance = render(<App client={client} trust={() => trust} room={options.room} onQuit={onQuit} sender={sender} e2e={e2e} bell={options.bell} />, {
    exitOnCtrlC: false,
    patchConsole: true,
  });
  const stop = () => instance.unmount();
  process.once('SIGTERM', stop);
  process.once('SIGHUP', stop);
  try {
    await instance.waitUntilExit();
  } finally {
    process.off('SIGTERM', stop);
    process.off('SIGHUP', stop);
    process.stdout.write(LEAVE_ALT_SCREEN);
    await client.close();
  }
  if (undelivered) process.stderr.write('parley chat: some messages were not acknowledged by the server before quitting\n');
  return 0;
}
