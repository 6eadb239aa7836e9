#!/usr/bin/python3
"""Telethon 1.25 (layer 144) against mtjson-testdc: key generation, PHONE_MIGRATE, sign-up,
@echo round trip as an update event, history, 2FA (set, then sign in with code + SRP).

Run: /usr/bin/python3 tests/interop/telethon_flow.py [--testdc PATH | --server HOST:PORT --key PEM]
A server given with --server must have been started with
--seed-account '9996630001:Seeded:seeded pass'.
Prints one line per step and 'N passed, M failed'; exits 1 on failure, 77 if Telethon or the
server binary is missing.
"""
import argparse
import asyncio
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
from common import StepFailed, step  # noqa: E402

try:
    from telethon import errors, events, functions, types
except ImportError:
    print('SKIP: Telethon not installed (Debian python3-telethon)', flush=True)
    sys.exit(common.SKIP)

PASSWORD = 'correct horse battery staple'
SEED_PHONE = common.phone_for(3, 1)
SEED_PASSWORD = 'seeded pass'
WHOLE_RUN_SECONDS = 75


async def sign_in_with_code(client, steps, phone, first_name=None, password=None, label=''):
    """send_code (following PHONE_MIGRATE), sign_in, then sign_up or the 2FA password."""
    sent = await step(steps, label + 'auth.sendCode', client.send_code_request(phone))
    steps.check(isinstance(sent, types.auth.SentCode) and sent.phone_code_hash,
                label + 'auth.sendCode returned a phone_code_hash', type(sent).__name__)
    code = common.login_code(phone)

    async def sign_in():
        try:
            return 'signed_in', await client.sign_in(phone, code)
        except errors.PhoneNumberUnoccupiedError:
            return 'sign_up_required', None
        except errors.SessionPasswordNeededError:
            return 'password_needed', None

    what, user = await step(steps, label + 'auth.signIn with code ' + code, sign_in())
    steps.ok(label + 'auth.signIn answered', what)
    if what == 'sign_up_required':
        if first_name is None:
            steps.fail(label + 'sign-up', 'server asks to sign up an account that should exist')
            raise StepFailed('sign-up')
        user = await step(steps, label + 'auth.signUp', client.sign_up(code, first_name, 'Interop'))
    elif what == 'password_needed':
        if password is None:
            steps.fail(label + '2FA', 'server asks for a password that was never set')
            raise StepFailed('2FA')

        async def wrong_password():
            try:
                await client.sign_in(password='not the password')
            except errors.PasswordHashInvalidError:
                return True
            return False

        steps.check(await step(steps, label + 'wrong 2FA password', wrong_password(), required=False),
                    label + 'wrong 2FA password rejected with PASSWORD_HASH_INVALID')
        user = await step(steps, label + 'auth.checkPassword (SRP)', client.sign_in(password=password))
    steps.check(isinstance(user, types.User) and user.phone == phone,
                label + 'signed in as ' + phone,
                'user id %s' % getattr(user, 'id', None))
    return user


async def echo_round_trip(client, steps, text, label=''):
    """Sends `text` to @echo and waits for the echo to arrive as a NewMessage update."""
    # Raw contacts.resolveUsername: get_entity('echo') would refuse, Telethon 1.25's username
    # pattern wants 5+ characters.
    resolved = await step(steps, label + 'contacts.resolveUsername echo',
                          client(functions.contacts.ResolveUsernameRequest('echo')))
    echo = next((u for u in resolved.users if u.id == getattr(resolved.peer, 'user_id', None)), None)
    if not steps.check(isinstance(echo, types.User) and echo.bot and echo.username == 'echo',
                       label + '@echo is a bot user', 'id %s' % getattr(echo, 'id', None)):
        raise StepFailed('@echo')
    loop = asyncio.get_running_loop()
    got = loop.create_future()

    async def on_message(event):
        if (not event.out and event.chat_id == echo.id and event.raw_text == text
                and not got.done()):
            got.set_result(event.message)

    client.add_event_handler(on_message, events.NewMessage(incoming=True))
    try:
        sent = await step(steps, label + 'messages.sendMessage to @echo', client.send_message(echo, text))
        steps.check(sent.out and sent.message == text and sent.peer_id.user_id == echo.id,
                    label + 'sendMessage result is our outgoing message', 'id %s' % sent.id)
        reply = await step(steps, label + 'echo arrives as a NewMessage update', got, timeout=10)
        steps.check(reply.id > sent.id and reply.sender_id == echo.id,
                    label + 'echo comes from @echo after our message', 'id %s' % reply.id)
    finally:
        client.remove_event_handler(on_message)
    return echo, sent, reply


async def flow(args, steps, server, log):
    phone = common.phone_for(2, common.unique_tail())
    client = common.telethon_client(server, dc_id=1)
    second = third = None
    try:
        await step(steps, 'connect to DC 1 (auth key generation)', client.connect())
        steps.check(client.session.auth_key is not None and client.session.dc_id == 1,
                    'DC 1: auth key created')

        config = await step(steps, 'help.getConfig', client(functions.help.GetConfigRequest()))
        dcs = {(o.id, o.ip_address, o.port) for o in config.dc_options if not o.ipv6}
        want = {(i, server.host, server.port(i)) for i in (1, 2, 3)}
        steps.check(want <= dcs, 'help.getConfig lists DCs 1-3 at %s:%d..%d'
                    % (server.host, server.port(1), server.port(3)), str(sorted(dcs)))

        # A DC-2 phone asked on DC 1: PHONE_MIGRATE_2, Telethon reconnects with a new key.
        user = await sign_in_with_code(client, steps, phone, first_name='Tele')
        steps.check(client.session.dc_id == 2 and client.session.port == server.port(2),
                    'followed PHONE_MIGRATE_2 to DC 2',
                    'session on DC %s port %s' % (client.session.dc_id, client.session.port))
        me = await step(steps, 'users.getUsers self', client.get_me())
        steps.check(me.id == user.id and me.first_name == 'Tele' and me.is_self,
                    'get_me is the new account')

        text = 'ping from Telethon %d' % os.getpid()
        echo, sent, reply = await echo_round_trip(client, steps, text)

        history = await step(steps, 'messages.getHistory with @echo', client.get_messages(echo, limit=10))
        ids = [m.id for m in history]
        steps.check(ids[:2] == [reply.id, sent.id] and history[0].message == text
                    and history[1].message == text and history[1].out and not history[0].out,
                    'history has our message and the echo, newest first', 'ids %s' % ids)

        ok = await step(steps, 'account.updatePasswordSettings (set 2FA)',
                        client.edit_2fa(new_password=PASSWORD, hint='horse'))
        steps.check(ok is True, '2FA password set')
        pwd = await step(steps, 'account.getPassword', client(functions.account.GetPasswordRequest()))
        steps.check(pwd.has_password and pwd.hint == 'horse' and pwd.srp_B and pwd.srp_id,
                    'account.getPassword reports the password, hint and SRP parameters')

        # A second device: obfuscated2 transport, fresh key on DC 3, PHONE_MIGRATE_2 again,
        # code + SRP.
        second = common.telethon_client(server, dc_id=3, transport='ConnectionTcpObfuscated')
        await step(steps, 'second client: connect to DC 3 (obfuscated2)', second.connect())
        user2 = await sign_in_with_code(second, steps, phone, password=PASSWORD, label='second client: ')
        steps.check(user2.id == user.id and second.session.dc_id == 2,
                    'second client: same account, on DC 2 after migration')
        history2 = await step(steps, 'second client: messages.getHistory',
                              second.get_messages(echo, limit=10))
        steps.check([m.id for m in history2][:2] == ids[:2],
                    'second client: sees the same history', 'ids %s' % [m.id for m in history2])

        # The first client is still connected and authorized: it keeps working after the password.
        text2 = 'second ping from Telethon %d' % os.getpid()
        await echo_round_trip(client, steps, text2, label='first client again: ')

        # The account seeded with a password by --seed-account: DC 1 -> PHONE_MIGRATE_3, code + SRP.
        third = common.telethon_client(server, dc_id=1, transport='ConnectionTcpAbridged')
        await step(steps, 'seeded account: connect to DC 1 (abridged)', third.connect())
        seeded = await sign_in_with_code(third, steps, SEED_PHONE, password=SEED_PASSWORD,
                                         label='seeded account: ')
        steps.check(seeded.first_name == 'Seeded' and third.session.dc_id == 3,
                    'seeded account: signed in on DC 3 after PHONE_MIGRATE_3')
    finally:
        for c in (client, second, third):
            if c is not None:
                try:
                    await asyncio.wait_for(c.disconnect(), 5)
                except Exception:
                    pass


async def main():
    parser = argparse.ArgumentParser(description=__doc__)
    common.add_server_args(parser)
    args = parser.parse_args()
    steps = common.Steps()
    log = common.LogTail(args.verbose)
    try:
        server = common.open_server(args, steps, ['--seed-account', '%s:Seeded:%s' % (SEED_PHONE, SEED_PASSWORD)])
    except Exception as e:
        steps.fail('start mtjson-testdc', str(e))
        return steps.finish()
    steps.ok('server ready', '%s:%d-%d' % (server.host, server.port(1), server.port(3)))
    try:
        await asyncio.wait_for(flow(args, steps, server, log), WHOLE_RUN_SECONDS)
    except StepFailed:
        pass
    except asyncio.TimeoutError:
        steps.fail('whole flow', 'over %d s' % WHOLE_RUN_SECONDS)
    except Exception as e:
        steps.fail('flow', '%s: %s' % (type(e).__name__, e))
    finally:
        if steps.failed:
            log.dump('Telethon log (last lines)')
            tail = server.log_tail()
            if tail:
                print('---- server log (last lines) ----\n' + tail + '---- end ----', flush=True)
        common.finish_server(steps, server)
    return steps.finish()


if __name__ == '__main__':
    sys.exit(asyncio.run(main()))
