import type { CommandTable } from './command.ts';
import { identityCommands } from './identity-commands.ts';
import { infoCommands } from './info-commands.ts';
import { messagingCommands } from './messaging-commands.ts';
import { messageChangeCommands } from './message-change-commands.ts';
import { conversationCommands } from './conversation-commands.ts';
import { roomCommands } from './room-commands.ts';
import { adminCommands } from './admin-commands.ts';
import { moderationCommands } from './moderation-commands.ts';
import { roomModeCommands } from './room-mode-commands.ts';
import { deviceCommands } from './device-commands.ts';
import { keyCommands } from './key-commands.ts';
import { e2eCommands } from './e2e-commands.ts';
import { federationCommands } from './federation-commands.ts';

/**
 * The command table: every protocol verb, from every transport and mode, resolves here. Typed
 * against the protocol's verb union, so adding a verb without a handler does not compile.
 * See docs/architecture.md, "Adding a command".
 */
export const COMMANDS: CommandTable = {
  ...identityCommands,
  ...roomCommands,
  ...messagingCommands,
  ...messageChangeCommands,
  ...conversationCommands,
  ...infoCommands,
  ...adminCommands,
  ...moderationCommands,
  ...roomModeCommands,
  ...deviceCommands,
  ...keyCommands,
  ...e2eCommands,
  ...federationCommands,
};
