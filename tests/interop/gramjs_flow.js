#!/usr/bin/env node
// GramJS (npm telegram 2.26.22, layer 198) against mtjson-testdc: key generation, PHONE_MIGRATE,
// sign-up, @echo round trip as an update event, history, 2FA (set, then sign in with code + SRP).
//
// Run: node tests/interop/gramjs_flow.js [--testdc PATH | --server HOST:PORT --key PEM] [--verbose]
// A server given with --server must have been started with
// --seed-account '9996630001:Seeded:seeded pass'.
// Prints one line per step and 'N passed, M failed'; exits 1 on failure, 77 if GramJS (npm ci)
// or the server binary is missing.
"use strict";

const common = require("./common");
const { StepFailed } = common;

const G = common.requireGramJS();
const { Api } = G.telegram;
const PASSWORD = "correct horse battery staple";
const SEED_PHONE = common.phoneFor(3, 1);
const SEED_PASSWORD = "seeded pass";
const WHOLE_RUN_MS = 75000;

// Sends `text` to @echo and waits for the echo to arrive as a NewMessage update.
async function echoRoundTrip(client, steps, text, label = "") {
  // Raw contacts.resolveUsername: getEntity("echo") would refuse, GramJS's username pattern
  // wants 5+ characters.
  const resolved = await steps.step(label + "contacts.resolveUsername echo", () =>
    client.invoke(new Api.contacts.ResolveUsername({ username: "echo" })),
  );
  const echo = resolved.users[0];
  steps.check(echo instanceof Api.User && echo.bot && echo.username === "echo", label + "@echo is a bot user", `id ${echo && echo.id}`);
  let handler;
  const got = new Promise((resolve) => {
    handler = (event) => {
      const m = event.message;
      if (!m.out && m.senderId && m.senderId.equals(echo.id) && m.message === text) resolve(m);
    };
    client.addEventHandler(handler, new G.events.NewMessage({ incoming: true }));
  });
  try {
    const sent = await steps.step(label + "messages.sendMessage to @echo", () => client.sendMessage(echo, { message: text }));
    steps.check(sent.out && sent.message === text && sent.peerId.userId.equals(echo.id),
      label + "sendMessage result is our outgoing message", `id ${sent.id}`);
    const reply = await steps.step(label + "echo arrives as a NewMessage update", got, { timeout: 10000 });
    steps.check(reply.id > sent.id, label + "echo comes from @echo after our message", `id ${reply.id}`);
    return { echo, sent, reply };
  } finally {
    client.removeEventHandler(handler, new G.events.NewMessage({ incoming: true }));
  }
}

async function flow(steps, server, logger) {
  const phone = common.phoneFor(2, common.uniqueTail());
  const clients = [];
  try {
    const client = common.gramjsClient(G, server, 1, logger);
    clients.push(client);
    await steps.step("connect to DC 1 (auth key generation)", () => common.connect(client));
    steps.check(client.session.getAuthKey() && client.session.getAuthKey().getKey() && client.session.dcId === 1,
      "DC 1: auth key created");

    const config = await steps.step("help.getConfig", () => client.invoke(new Api.help.GetConfig()));
    const dcs = new Set(config.dcOptions.filter((o) => !o.ipv6).map((o) => `${o.id} ${o.ipAddress}:${o.port}`));
    const want = [1, 2, 3].map((i) => `${i} ${server.host}:${server.port(i)}`);
    steps.check(want.every((w) => dcs.has(w)), `help.getConfig lists DCs 1-3 at ${server.host}:${server.port(1)}..${server.port(3)}`,
      [...dcs].join(", "));

    // A DC-2 phone asked on DC 1: PHONE_MIGRATE_2, GramJS reconnects with a new key.
    const user = await common.signInWithCode(G, client, steps, phone, { firstName: "Gram" });
    steps.check(client.session.dcId === 2, "followed PHONE_MIGRATE_2 to DC 2", `session on DC ${client.session.dcId}`);
    const me = await steps.step("users.getUsers self", () => client.getMe());
    steps.check(me.id.equals(user.id) && me.firstName === "Gram" && me.self, "getMe is the new account");

    const text = `ping from GramJS ${process.pid}`;
    const { echo, sent, reply } = await echoRoundTrip(client, steps, text);

    const history = await steps.step("messages.getHistory with @echo", () => client.getMessages(echo, { limit: 10 }));
    const ids = history.map((m) => m.id);
    steps.check(ids[0] === reply.id && ids[1] === sent.id && history[0].message === text && history[1].message === text &&
      history[1].out && !history[0].out, "history has our message and the echo, newest first", `ids ${ids}`);

    await steps.step("account.updatePasswordSettings (set 2FA)", () =>
      client.updateTwoFaSettings({ newPassword: PASSWORD, hint: "horse" }),
    );
    steps.ok("2FA password set");
    const pwd = await steps.step("account.getPassword", () => client.invoke(new Api.account.GetPassword()));
    steps.check(pwd.hasPassword && pwd.hint === "horse" && pwd.srp_B && pwd.srpId,
      "account.getPassword reports the password, hint and SRP parameters");

    // A second device: obfuscated2 transport, fresh key on DC 3, PHONE_MIGRATE_2 again,
    // code + SRP.
    const second = common.gramjsClient(G, server, 3, logger, { transport: "ConnectionTCPObfuscated" });
    clients.push(second);
    await steps.step("second client: connect to DC 3 (obfuscated2)", () => common.connect(second));
    const user2 = await common.signInWithCode(G, second, steps, phone, { password: PASSWORD, label: "second client: " });
    steps.check(user2.id.equals(user.id) && second.session.dcId === 2, "second client: same account, on DC 2 after migration");
    const history2 = await steps.step("second client: messages.getHistory", () => second.getMessages(echo, { limit: 10 }));
    const ids2 = history2.map((m) => m.id);
    steps.check(ids2[0] === ids[0] && ids2[1] === ids[1], "second client: sees the same history", `ids ${ids2}`);

    // The first client is still connected and authorized: it keeps working after the password.
    await echoRoundTrip(client, steps, `second ping from GramJS ${process.pid}`, "first client again: ");

    // The account seeded with a password by --seed-account: DC 1 -> PHONE_MIGRATE_3, code + SRP.
    const third = common.gramjsClient(G, server, 1, logger, { transport: "ConnectionTCPAbridged" });
    clients.push(third);
    await steps.step("seeded account: connect to DC 1 (abridged)", () => common.connect(third));
    const seeded = await common.signInWithCode(G, third, steps, SEED_PHONE, { password: SEED_PASSWORD, label: "seeded account: " });
    steps.check(seeded.firstName === "Seeded" && third.session.dcId === 3, "seeded account: signed in on DC 3 after PHONE_MIGRATE_3");
  } finally {
    for (const c of clients) {
      await Promise.race([c.destroy().catch(() => {}), common.sleep(5000)]);
    }
  }
}

async function main() {
  const args = common.parseArgs(process.argv.slice(2));
  const steps = new common.Steps();
  const logger = common.makeLogger(G, args.verbose);
  let server;
  try {
    server = await common.openServer(args, steps, ["--seed-account", `${SEED_PHONE}:Seeded:${SEED_PASSWORD}`]);
  } catch (e) {
    steps.fail("start mtjson-testdc", e.message);
    return steps.finish();
  }
  steps.ok("server ready", `${server.host}:${server.port(1)}-${server.port(3)}`);
  let timer;
  try {
    await Promise.race([
      flow(steps, server, logger),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`whole flow over ${WHOLE_RUN_MS / 1000} s`)), WHOLE_RUN_MS);
      }),
    ]);
  } catch (e) {
    if (!(e instanceof StepFailed)) steps.fail("flow", common.describeError(e));
  } finally {
    clearTimeout(timer);
    if (steps.failed) {
      logger.dump();
      const tail = server.logTail();
      if (tail) console.log(`---- server log (last lines) ----\n${tail}\n---- end ----`);
    }
    await common.finishServer(steps, server);
  }
  return steps.finish();
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.log(`FAIL ${common.describeError(e)}`);
    console.log("0 passed, 1 failed");
    process.exit(1);
  },
);
