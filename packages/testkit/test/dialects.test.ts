import { describe, expect, it } from 'vitest';
import { useServerScope, type TextClient } from '../src/index.ts';

/**
 * People arrive from other chat servers with their habits: each seed's commands, typed exactly
 * as its users type them, over TLS at a raw text client (what `openssl s_client` gives a person).
 * docs/protocol.md, "Coming from another server", has the tables these follow.
 */
const scope = useServerScope();

/** Loopback 127.0.0.1 stays exempt (a local proxy); other loopback addresses are "other machines". */
const start = () => scope.start({ moderation: { exempt_addresses: ['127.0.0.1'], first_account_owner: true } });

async function person(login: string, localAddress = '127.0.0.1'): Promise<TextClient> {
  const client = await scope.text({ tls: true, localAddress });
  expect(await client.command(login)).toMatch(/^OK welcome/);
  return client;
}

describe('coming from GoChat', () => {
  it('REGISTER, SEND to a name and to ALL, LIST, SERVERHELP, SERVERINFO, KICK, BAN, UNBAN, LISTBANS', async () => {
    await start();
    const admin = await person('REGISTER admin correct-horse');
    const bob = await person('REGISTER bob', '127.0.0.2');
    expect(await bob.command('SEND admin hi admin')).toMatch(/^OK SEND admin:1$/);
    expect(await admin.expect('MSG bob admin')).toBe('MSG bob admin hi admin');
    expect(await bob.command('SEND ALL hello all')).toMatch(/^OK SEND ALL:1$/);
    expect(await bob.command('LIST')).toBe('OK LIST 2 admin bob');
    bob.send('SERVERHELP');
    expect(await bob.expect(/^HELP SEND /)).toMatch(/^HELP SEND <name\|name1,name2\|#room\|ALL> <text>/);
    expect(await bob.expect(/^OK HELP$/)).toBe('OK HELP');
    admin.send('SERVERINFO');
    expect(await admin.expect(/^INFO name /)).toMatch(/^INFO name \S+/);
    expect(await admin.expect(/^OK SERVERINFO$/)).toBe('OK SERVERINFO');
    expect(await admin.command('BAN bob spamming')).toBe('OK BAN server account bob permanent +ip 127.0.0.2');
    await bob.waitClosed();
    admin.send('LISTBANS');
    expect(await admin.expect(/^BAN server account bob /)).toMatch(/by admin .* permanent spamming$/);
    expect(await admin.expect(/^OK LISTBANS/)).toBe('OK LISTBANS 2');
    expect(await admin.command('UNBAN bob')).toBe('OK UNBAN server account bob');
    expect(await admin.command('UNBAN 127.0.0.2')).toBe('OK UNBAN server ip 127.0.0.2');
    const carol = await person('REGISTER carol', '127.0.0.3');
    expect(await admin.command('KICK carol bye')).toBe('OK KICK carol');
    await carol.waitClosed();
  });
});

describe('coming from xsukax Chatroom', () => {
  it('/changeuname, /createroom, /join, /left, /deleteroom, /admin, /userinfo, /kick, /ban (by address), /help', async () => {
    const server = await start();
    const newcomer = await scope.text({ tls: true });
    expect(await newcomer.command('/join #general')).toMatch(/^ERR 2000 NOT_LOGGED_IN/);
    const zed = await person('REGISTER zed0', '127.0.0.2');
    expect(await zed.command('/changeuname zed')).toBe('OK NICK zed0 zed');
    expect(await zed.command('/createroom lobby')).toBe('OK CREATE #lobby');
    // The current room of a text connection is the one it last joined or spoke in.
    expect(await zed.command('/left')).toBe('OK PART #lobby');
    expect(await zed.command('/join #lobby')).toMatch(/^OK JOIN #lobby 1 online/);
    expect(await zed.command('/left')).toBe('OK PART #lobby');
    expect(await zed.command('/left')).toMatch(/^ERR 1003 BAD_ARGUMENTS No current room/);
    // A guest's room closes when its last member leaves: joining makes it again.
    expect(await zed.command('/join #lobby')).toMatch(/^OK JOIN #lobby 1 online/);
    expect(await zed.command('/admin not-the-password')).toMatch(/^ERR 2002 BAD_CREDENTIALS/);
    expect(await zed.command(`/admin ${server.operPassword()}`)).toBe('OK OPER operator');
    expect(await zed.command('/deleteroom lobby')).toBe('OK DELETE #lobby');
    const troll = await person('GUEST troll', '127.0.0.3');
    zed.send('/userinfo troll');
    expect(await zed.expect(/^USER /)).toBe('USER troll guest guest online');
    expect(await zed.expect(/^OK USERINFO/)).toBe('OK USERINFO troll');
    expect(await zed.command('/kick troll go away')).toBe('OK KICK troll');
    await troll.waitClosed();
    // xsukax's /ban bans the address: a new name from there is refused too.
    await person('GUEST troll', '127.0.0.3');
    expect(await zed.command('/ban troll')).toBe('OK BAN server account troll permanent +ip 127.0.0.3');
    const again = await scope.text({ tls: true, localAddress: '127.0.0.3' });
    expect(await again.expect(/^ERR/)).toMatch(/^ERR 2008 BANNED/);
    zed.send('/help');
    expect(await zed.expect(/^HELP from xsukax Chatroom: /)).toMatch(/changeuname=NICK left=PART admin=OPER/);
  });
});

describe('coming from Asyncio-TCP', () => {
  it('the // prefix with help, channels, users, bans, broadcast and disabling commands', async () => {
    await start();
    const op = await person('REGISTER op correct-horse');
    const amy = await person('GUEST amy', '127.0.0.2');
    amy.send('//help');
    expect(await amy.expect(/^HELP from Asyncio-TCP: /)).toMatch(/create-channel=CREATE join-channel=JOIN leave-channel=PART/);
    await amy.expect(/^OK HELP$/);
    expect(await amy.command('//create-channel pond')).toBe('OK CREATE #pond');
    expect(await amy.command('//leave-channel')).toBe('OK PART #pond');
    expect(await amy.command('//join-channel pond')).toMatch(/^OK JOIN #pond 1 online/);
    expect(await amy.command('//leave-channel')).toBe('OK PART #pond');
    // A guest's room closes when its last member leaves: joining makes it again.
    expect(await amy.command('//join-channel pond')).toMatch(/^OK JOIN #pond 1 online/);
    expect(await amy.command('//users')).toBe('OK LIST 2 amy op');
    expect(await amy.command('//user-count')).toBe('OK LIST 2 amy op');
    expect(await op.command('//delete-channel pond')).toBe('OK DELETE #pond');
    expect(await op.command('//broadcast maintenance at noon')).toMatch(/^OK BROADCAST/);
    expect(await amy.expect('NOTICE')).toMatch(/maintenance at noon/);
    expect(await op.command('//disable-command create-channel')).toMatch(/^OK DISABLE create/);
    expect(await amy.command('//create-channel other')).toMatch(/^ERR 1009 COMMAND_DISABLED/);
    expect(await op.command('//enable-command create-channel')).toMatch(/^OK ENABLE create/);
    expect(await amy.command('//create-channel other')).toBe('OK CREATE #other');
    const bo = await person('GUEST bo', '127.0.0.3');
    expect(await op.command('//ban bo (spamming)')).toBe('OK BAN server account bo permanent +ip 127.0.0.3');
    await bo.waitClosed();
    op.send('//banned-users');
    expect(await op.expect(/^BAN server account bo /)).toMatch(/\(spamming\)$/);
    expect(await op.expect(/^OK LISTBANS/)).toBe('OK LISTBANS 2');
    expect(await op.command('//unban bo')).toBe('OK UNBAN server account bo');
  });
});
