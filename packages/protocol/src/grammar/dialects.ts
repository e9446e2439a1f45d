/**
 * The command words of the servers people come to Parley from, each an alias of one of
 * Parley's own forms (parley-lines.ts): one grammar, one command table behind it, no second
 * implementation. docs/protocol.md, "Coming from another server", has a table per server with
 * what differs; a test checks every alias here is in it.
 */
export type Dialect = 'gochat' | 'xsukax' | 'asyncio';

export const DIALECT_NAMES: Readonly<Record<Dialect, string>> = {
  gochat: 'GoChat',
  xsukax: 'xsukax Chatroom',
  asyncio: 'Asyncio-TCP',
};

export interface DialectAlias {
  /** The Parley command word (a key of PARLEY_LINES) this word runs. */
  readonly of: string;
  readonly from: Dialect;
}

const alias = (of: string, from: Dialect): DialectAlias => ({ of, from });

/**
 * Keys are upper case, as the line parser looks them up. GoChat's words (REGISTER, SEND,
 * LIST, SERVERHELP, SERVERINFO, KICK, BAN, UNBAN, LISTBANS) are Parley words already.
 */
export const DIALECT_ALIASES: Readonly<Record<string, DialectAlias>> = {
  CHANGEUNAME: alias('NICK', 'xsukax'),
  LEFT: alias('PART', 'xsukax'),
  ADMIN: alias('OPER', 'xsukax'),
  'CREATE-CHANNEL': alias('CREATE', 'asyncio'),
  'JOIN-CHANNEL': alias('JOIN', 'asyncio'),
  'LEAVE-CHANNEL': alias('PART', 'asyncio'),
  'DELETE-CHANNEL': alias('DELETE', 'asyncio'),
  'USER-COUNT': alias('LIST', 'asyncio'),
  'BANNED-USERS': alias('LISTBANS', 'asyncio'),
  'DISABLE-COMMAND': alias('DISABLE', 'asyncio'),
  'ENABLE-COMMAND': alias('ENABLE', 'asyncio'),
};
