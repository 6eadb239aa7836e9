// Shared pieces of the GramJS interop tests: run mtjson-testdc, read its RSA key, point GramJS
// at it, count steps. Every wait is bounded: a test never hangs.
"use strict";

const childProcess = require("child_process");
const crypto = require("crypto");
const fs = require("fs");
const net = require("net");
const os = require("os");
const path = require("path");

const SOURCE_ROOT = process.env.MTJSON_SOURCE_ROOT || path.resolve(__dirname, "..", "..");
const SKIP = 77; // meson: the test is skipped

function requireGramJS() {
  try {
    return {
      telegram: require("telegram"),
      sessions: require("telegram/sessions"),
      events: require("telegram/events"),
      connection: require("telegram/network/connection"),
      RSA: require("telegram/crypto/RSA"),
      Password: require("telegram/Password"),
      Logger: require("telegram/extensions/Logger"),
      bigInt: require("big-integer"),
    };
  } catch (e) {
    console.log(`SKIP: GramJS not installed (run: npm ci --prefix ${__dirname}): ${e.message}`);
    process.exit(SKIP);
  }
}

// Any api_id/api_hash: the test DC does not check them.
const API_ID = 12345;
const API_HASH = "0123456789abcdef0123456789abcdef";

// Phones: 99966XYYYY lives on DC X; the login code is X five times.
const loginCode = (phone) => phone[5].repeat(5);
const phoneFor = (dcId, tail) => `99966${dcId}${String(tail).padStart(4, "0")}`;
const uniqueTail = () => (process.pid * 7 + Math.floor(Date.now() / 1000) + 5000) % 10000;

// ------------------------------------------------------------------ steps

class StepFailed extends Error {}

class Steps {
  constructor() {
    this.passed = 0;
    this.failed = 0;
    this.start = Date.now();
  }
  stamp() {
    return `${((Date.now() - this.start) / 1000).toFixed(1).padStart(5)}s`;
  }
  ok(name, detail = "") {
    this.passed++;
    console.log(`PASS ${this.stamp()} ${name}${detail ? ": " + detail : ""}`);
  }
  fail(name, detail) {
    this.failed++;
    console.log(`FAIL ${this.stamp()} ${name}: ${detail}`);
  }
  check(cond, name, detail = "") {
    if (cond) this.ok(name, detail);
    else this.fail(name, detail || "condition false");
    return cond;
  }
  info(text) {
    console.log(`     ${this.stamp()} ${text}`);
  }
  finish() {
    console.log(`${this.passed} passed, ${this.failed} failed`);
    return this.failed || !this.passed ? 1 : 0;
  }
  // Awaits `promise` (or calls an async function) under a timeout; records a FAIL on error.
  async step(name, work, { timeout = 15000, required = true } = {}) {
    let timer;
    const timed = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${timeout / 1000} s`)), timeout);
    });
    try {
      return await Promise.race([typeof work === "function" ? work() : work, timed]);
    } catch (e) {
      if (e instanceof StepFailed) throw e;
      this.fail(name, describeError(e));
      if (required) throw new StepFailed(name);
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }
}

function describeError(e) {
  if (e && e.errorMessage) return `${e.constructor.name} ${e.code} ${e.errorMessage}`;
  return `${(e && e.constructor && e.constructor.name) || "Error"}: ${e && e.message}`;
}

// ------------------------------------------------------------------ RSA key

function tlBytes(b) {
  // TL 'bytes' serialization, as hashed for an RSA key fingerprint ("Creating an Authorization Key").
  let head;
  if (b.length < 254) head = Buffer.from([b.length]);
  else head = Buffer.from([254, b.length & 0xff, (b.length >> 8) & 0xff, (b.length >> 16) & 0xff]);
  const body = Buffer.concat([head, b]);
  return Buffer.concat([body, Buffer.alloc((4 - (body.length % 4)) % 4)]);
}

// {n, e, fingerprint} of a PEM (PKCS#1 or SubjectPublicKeyInfo); n and fingerprint as decimal strings.
function loadPublicKey(pem) {
  const jwk = crypto.createPublicKey(pem).export({ format: "jwk" });
  const n = Buffer.from(jwk.n, "base64url");
  const e = Buffer.from(jwk.e, "base64url");
  const digest = crypto.createHash("sha1").update(Buffer.concat([tlBytes(n), tlBytes(e)])).digest();
  return {
    n: BigInt("0x" + n.toString("hex")).toString(),
    e: Number(BigInt("0x" + e.toString("hex"))),
    fingerprint: digest.readBigInt64LE(12).toString(),
  };
}

// ------------------------------------------------------------------ the server

function findTestdc(explicit) {
  if (explicit) return explicit;
  if (process.env.MTJSON_TESTDC) return process.env.MTJSON_TESTDC;
  const candidates = [path.join(SOURCE_ROOT, "build", "tools", "testdc", "mtjson-testdc")];
  let entries = [];
  try {
    entries = fs.readdirSync(SOURCE_ROOT).filter((d) => d.startsWith("build")).sort();
  } catch (e) {}
  for (const d of entries) candidates.push(path.join(SOURCE_ROOT, d, "tools", "testdc", "mtjson-testdc"));
  for (const c of candidates) {
    try {
      fs.accessSync(c, fs.constants.X_OK);
      return c;
    } catch (e) {}
  }
  return null;
}

function listen(port) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once("error", () => resolve(null));
    srv.listen(port, "127.0.0.1", () => resolve(srv));
  });
}

async function freePortBlock(count = 3) {
  for (let i = 0; i < 50; i++) {
    const first = await listen(0);
    const base = first.address().port;
    const held = [first];
    let ok = base + count <= 65535;
    for (let p = base + 1; ok && p < base + count; p++) {
      const s = await listen(p);
      if (s) held.push(s);
      else ok = false;
    }
    await Promise.all(held.map((s) => new Promise((r) => s.close(r))));
    if (ok) return base;
  }
  throw new Error("no block of free ports found");
}

function portOpen(port) {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: "127.0.0.1" });
    const done = (v) => {
      s.destroy();
      resolve(v);
    };
    s.setTimeout(500, () => done(false));
    s.once("connect", () => done(true));
    s.once("error", () => done(false));
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

class Server {
  constructor(host, basePort, pem, proc = null, dataDir = null, logPath = null) {
    Object.assign(this, { host, basePort, pem, proc, dataDir, logPath });
    this.key = loadPublicKey(pem);
    this.exitCode = null;
    if (proc) proc.once("exit", (code, signal) => (this.exitCode = code === null ? signal : code));
  }
  port(dcId) {
    return this.basePort + dcId - 1;
  }
  alive() {
    return !this.proc || this.exitCode === null;
  }
  logTail(lines = 40) {
    if (!this.logPath || !fs.existsSync(this.logPath)) return "";
    return fs.readFileSync(this.logPath, "utf8").split("\n").slice(-lines - 1).join("\n");
  }
  async stop() {
    if (this.proc && this.exitCode === null) {
      const exited = new Promise((r) => this.proc.once("exit", r));
      this.proc.kill("SIGTERM");
      const t = setTimeout(() => this.proc.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(t);
    }
    let reports = [];
    if (this.logPath && fs.existsSync(this.logPath)) {
      reports = fs.readFileSync(this.logPath, "utf8").split("\n")
        .filter((l) => l.includes("Sanitizer") || l.includes("runtime error:"));
    }
    if (this.dataDir) fs.rmSync(this.dataDir, { recursive: true, force: true });
    return reports; // ASan/LSan/UBSan lines of the server's log
  }
}

// Checks the server survived the flow, stops it, and fails on sanitizer reports.
async function finishServer(steps, server) {
  if (!server.alive()) steps.fail("server still running at the end", `exit ${server.exitCode}`);
  const reports = await server.stop();
  if (reports.length) steps.fail("server sanitizer report", reports.slice(0, 20).join("\n"));
}

async function startServer(testdc, extraArgs, steps) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "mtjson-interop-"));
  const key = childProcess.spawnSync(testdc, ["--print-public-key", "--data", dataDir], {
    encoding: "utf8",
    timeout: 30000,
  });
  if (key.status !== 0 || !String(key.stdout).includes("BEGIN")) {
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw new Error(`mtjson-testdc --print-public-key failed (exit ${key.status}): ${String(key.stderr).slice(-500)}`);
  }
  const logPath = path.join(dataDir, "server.log");
  for (let attempt = 0; attempt < 3; attempt++) {
    const base = await freePortBlock();
    const log = fs.openSync(logPath, "a");
    const args = ["--port", String(base), "--data", dataDir, ...extraArgs];
    const proc = childProcess.spawn(testdc, args, { stdio: ["ignore", log, log] });
    fs.closeSync(log);
    const server = new Server("127.0.0.1", base, key.stdout, proc, dataDir, logPath);
    // Killed from outside (a meson timeout): take the server down too.
    for (const sig of ["SIGTERM", "SIGINT"]) {
      process.once(sig, () => {
        if (server.exitCode === null) proc.kill("SIGTERM");
        process.exit(1);
      });
    }
    const deadline = Date.now() + 10000;
    while (Date.now() < deadline && server.exitCode === null) {
      const open = await Promise.all([0, 1, 2].map((i) => portOpen(base + i)));
      if (open.every(Boolean)) {
        if (steps) steps.info(`server: ${testdc} ${args.join(" ")} (pid ${proc.pid})`);
        return server;
      }
      await sleep(100);
    }
    const tail = server.logTail();
    server.dataDir = null; // keep the key for the next attempt
    await server.stop();
    if (attempt === 2) {
      fs.rmSync(dataDir, { recursive: true, force: true });
      throw new Error("mtjson-testdc did not start listening; its log:\n" + tail);
    }
  }
  throw new Error("unreachable");
}

function serverSupports(testdc, flag) {
  const r = childProcess.spawnSync(testdc, ["--help"], { encoding: "utf8", timeout: 10000 });
  return String(r.stdout || "").includes(flag) || String(r.stderr || "").includes(flag);
}

// --testdc PATH | --server HOST:PORT --key PEM, --verbose, plus script-specific --name value pairs.
function parseArgs(argv, extra = []) {
  const out = { verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--verbose") out.verbose = true;
    else if (["--testdc", "--server", "--key", ...extra].includes(a) && i + 1 < argv.length) {
      out[a.slice(2).replace(/-([a-z])/g, (_, c) => c.toUpperCase())] = argv[++i];
    } else {
      console.error(`unknown argument ${a}`);
      process.exit(2);
    }
  }
  return out;
}

async function openServer(args, steps, extraArgs = []) {
  if (args.server) {
    if (!args.key) throw new Error("--server needs --key");
    const i = args.server.lastIndexOf(":");
    return new Server(args.server.slice(0, i), Number(args.server.slice(i + 1)), fs.readFileSync(args.key, "utf8"));
  }
  const testdc = findTestdc(args.testdc);
  if (!testdc) {
    console.log("SKIP: mtjson-testdc not found (build it, or pass --testdc/--server)");
    process.exit(SKIP);
  }
  return startServer(testdc, extraArgs, steps);
}

// ------------------------------------------------------------------ GramJS

// Keeps the last lines of GramJS's log, printed when a step fails.
function makeLogger(G, verbose) {
  const lines = [];
  class TailLogger extends G.Logger.Logger {
    log(level, message, color) {
      const line = `${new Date().toISOString()} [${level}] ${message}`;
      lines.push(line);
      if (lines.length > 80) lines.shift();
      if (verbose) console.error(line);
    }
  }
  const logger = new TailLogger(G.Logger.LogLevel.DEBUG);
  logger.dump = (title = "GramJS log (last lines)") => {
    console.log(`---- ${title} ----`);
    for (const l of lines) console.log("     " + l);
    console.log("---- end ----");
  };
  return logger;
}

// A GramJS client with an empty in-memory session pointed at the test DC `dcId`.
//
// GramJS knows only Telegram's keys: the test DC's key is added to its map. It also connects
// to port 80 (main connection) or 443 (every DC it looks up in help.getConfig), whatever the
// session or the config say; so the connection class is wrapped to use the test DC's port for
// the DC it is asked to reach. IP addresses still come from the session and from help.getConfig.
function gramjsClient(G, server, dcId, logger, { transport = "ConnectionTCPFull" } = {}) {
  G.RSA._serverKeys.set(server.key.fingerprint, { n: G.bigInt(server.key.n), e: server.key.e });
  const Base = G.connection[transport];
  class TestDcConnection extends Base {
    constructor(opts) {
      super({ ...opts, port: server.port(opts.dcId) });
    }
  }
  // MemorySession, not StringSession: StringSession.save() writes the port as a signed 16-bit
  // number and throws for ports above 32767, which free-port picking often gives.
  const session = new G.sessions.MemorySession();
  session.setDC(dcId, server.host, server.port(dcId));
  const client = new G.telegram.TelegramClient(session, API_ID, API_HASH, {
    connection: TestDcConnection,
    useWSS: false,
    connectionRetries: 1,
    requestRetries: 3,
    retryDelay: 200,
    timeout: 5,
    autoReconnect: false,
    deviceModel: "mtjson interop",
    appVersion: "1.0",
    baseLogger: logger,
  });
  return client;
}

// GramJS's connect() answers false instead of throwing when the socket cannot be opened.
async function connect(client) {
  if (!(await client.connect())) throw new Error(`could not connect to ${client.session.serverAddress} (DC ${client.session.dcId})`);
}

// sendCode (following PHONE_MIGRATE), signIn, then signUp or the 2FA password (SRP).
async function signInWithCode(G, client, steps, phone, { firstName, password, label = "" } = {}) {
  const { Api } = G.telegram;
  const sent = await steps.step(label + "auth.sendCode", () =>
    client.sendCode({ apiId: API_ID, apiHash: API_HASH }, phone),
  );
  steps.check(typeof sent.phoneCodeHash === "string" && sent.phoneCodeHash.length > 0,
    label + "auth.sendCode returned a phone_code_hash");
  const code = loginCode(phone);
  const answer = await steps.step(label + `auth.signIn with code ${code}`, async () => {
    try {
      const r = await client.invoke(new Api.auth.SignIn({ phoneNumber: phone, phoneCodeHash: sent.phoneCodeHash, phoneCode: code }));
      if (r instanceof Api.auth.AuthorizationSignUpRequired) return { what: "sign_up_required" };
      return { what: "signed_in", user: r.user };
    } catch (e) {
      if (e.errorMessage === "SESSION_PASSWORD_NEEDED") return { what: "password_needed" };
      throw e;
    }
  });
  steps.ok(label + "auth.signIn answered", answer.what);
  let user = answer.user;
  if (answer.what === "sign_up_required") {
    if (firstName === undefined) {
      steps.fail(label + "sign-up", "server asks to sign up an account that should exist");
      throw new StepFailed("sign-up");
    }
    const r = await steps.step(label + "auth.signUp", () =>
      client.invoke(new Api.auth.SignUp({ phoneNumber: phone, phoneCodeHash: sent.phoneCodeHash, firstName, lastName: "Interop" })),
    );
    user = r.user;
  } else if (answer.what === "password_needed") {
    if (password === undefined) {
      steps.fail(label + "2FA", "server asks for a password that was never set");
      throw new StepFailed("2FA");
    }
    const wrong = await steps.step(label + "wrong 2FA password", async () => {
      const pwd = await client.invoke(new Api.account.GetPassword());
      try {
        await client.invoke(new Api.auth.CheckPassword({ password: await G.Password.computeCheck(pwd, "not the password") }));
      } catch (e) {
        return e.errorMessage;
      }
      return "accepted";
    }, { required: false });
    steps.check(wrong === "PASSWORD_HASH_INVALID", label + "wrong 2FA password rejected with PASSWORD_HASH_INVALID", String(wrong));
    const r = await steps.step(label + "auth.checkPassword (SRP)", async () => {
      const pwd = await client.invoke(new Api.account.GetPassword());
      return client.invoke(new Api.auth.CheckPassword({ password: await G.Password.computeCheck(pwd, password) }));
    });
    user = r.user;
  }
  steps.check(user instanceof Api.User && user.phone === phone, label + `signed in as ${phone}`, `user id ${user && user.id}`);
  return user;
}

module.exports = {
  API_HASH, API_ID, SKIP, Server, StepFailed, Steps,
  connect, describeError, findTestdc, finishServer, gramjsClient, loadPublicKey, loginCode, makeLogger, openServer,
  parseArgs, phoneFor, requireGramJS, serverSupports, signInWithCode, sleep, startServer, uniqueTail,
};
