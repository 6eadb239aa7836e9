#!/usr/bin/env node
// The GramJS user of two_users.py, driven over stdin/stdout with one JSON object per line.
//
//   node two_users_gramjs.js --server HOST:PORT --key PEM --phone PHONE [--verbose]
//
// It signs PHONE in (starting on DC 1, following PHONE_MIGRATE; signing up if new), then prints
//   {"event":"ready","user_id":"..."}
//   {"event":"message","text":"...","from":"...","id":N}   for every incoming private message
//   {"event":"step","ok":true|false,"name":"...","detail":"..."}  for each checked step
// and obeys
//   {"cmd":"send","phone":"...","text":"..."}  contacts.importContacts, then messages.sendMessage;
//                                              answers {"event":"sent","id":N,"to":"..."}
//   {"cmd":"quit"}                             disconnects and exits 0 (also when stdin closes)
// It never runs more than 80 s.
"use strict";

const readline = require("readline");
const common = require("./common");

const G = common.requireGramJS();
const { Api } = G.telegram;

function emit(obj) {
  process.stdout.write(JSON.stringify(obj) + "\n");
}

// Steps whose lines go to the driver as events instead of PASS/FAIL text.
class EventSteps extends common.Steps {
  ok(name, detail = "") {
    this.passed++;
    emit({ event: "step", ok: true, name, detail });
  }
  fail(name, detail) {
    this.failed++;
    emit({ event: "step", ok: false, name, detail });
  }
  info(text) {
    emit({ event: "info", text });
  }
}

async function main() {
  const args = common.parseArgs(process.argv.slice(2), ["--phone"]);
  if (!args.server || !args.key || !args.phone) {
    console.error("usage: two_users_gramjs.js --server HOST:PORT --key PEM --phone PHONE [--verbose]");
    return 2;
  }
  const steps = new EventSteps();
  const logger = common.makeLogger(G, args.verbose);
  const server = await common.openServer(args, steps);
  const client = common.gramjsClient(G, server, 1, logger, { transport: "ConnectionTCPAbridged" });
  const contacts = new Map(); // phone -> User
  let quit;
  const quitting = new Promise((r) => (quit = r));
  const deadline = setTimeout(() => {
    steps.fail("two_users_gramjs.js", "still running after 80 s");
    quit(1);
  }, 80000);

  const rl = readline.createInterface({ input: process.stdin });
  rl.on("close", () => quit(steps.failed ? 1 : 0));
  let queue = Promise.resolve();
  rl.on("line", (line) => {
    queue = queue.then(async () => {
      let cmd;
      try {
        cmd = JSON.parse(line);
      } catch (e) {
        steps.fail("command", `not JSON: ${line}`);
        return;
      }
      if (cmd.cmd === "quit") {
        quit(steps.failed ? 1 : 0);
      } else if (cmd.cmd === "send") {
        try {
          let peer = contacts.get(cmd.phone);
          if (!peer) {
            const imported = await steps.step(`contacts.importContacts ${cmd.phone}`, () =>
              client.invoke(new Api.contacts.ImportContacts({
                contacts: [new Api.InputPhoneContact({ clientId: G.bigInt(1), phone: cmd.phone, firstName: "Peer", lastName: "" })],
              })),
            );
            peer = imported.users.find((u) => u.phone === cmd.phone);
            if (!steps.check(peer !== undefined, `contacts.importContacts found ${cmd.phone}`)) return;
            contacts.set(cmd.phone, peer);
          }
          const sent = await steps.step("messages.sendMessage", () => client.sendMessage(peer, { message: cmd.text }));
          emit({ event: "sent", id: sent.id, to: peer.id.toString(), text: cmd.text });
        } catch (e) {
          if (!(e instanceof common.StepFailed)) steps.fail("send", common.describeError(e));
          emit({ event: "sent", error: true });
        }
      } else {
        steps.fail("command", `unknown: ${line}`);
      }
    });
  });

  let code = 1;
  try {
    await steps.step("connect to DC 1 (abridged)", () => common.connect(client));
    const user = await common.signInWithCode(G, client, steps, args.phone, { firstName: "Gram" });
    client.addEventHandler((event) => {
      const m = event.message;
      if (m.out || !m.isPrivate) return;
      emit({ event: "message", text: m.message, from: m.senderId ? m.senderId.toString() : null, id: m.id });
    }, new G.events.NewMessage({ incoming: true }));
    emit({ event: "ready", user_id: user.id.toString(), dc_id: client.session.dcId });
    code = await quitting;
  } catch (e) {
    if (!(e instanceof common.StepFailed)) steps.fail("GramJS", common.describeError(e));
    code = 1;
  } finally {
    clearTimeout(deadline);
    rl.close();
    if (steps.failed) {
      process.stdout.write(""); // keep event order
      logger.dump();
    }
    await Promise.race([client.destroy().catch(() => {}), common.sleep(5000)]);
  }
  return code;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    emit({ event: "step", ok: false, name: "two_users_gramjs.js", detail: common.describeError(e) });
    process.exit(1);
  },
);
