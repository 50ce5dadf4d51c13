// The whole "internet" of a test namespace (test/support/outboundRecorder.ts starts it there, after
// routing every address to loopback): a DNS server that answers every name with one address, and
// TCP listeners that record each connection's first request. An HTTP request, direct or to a proxy,
// is recorded with its headers; a TLS connection by the name it asks for (SNI), then terminated with a
// certificate of the test's CA for that name, so a client that trusts the CA shows its request too.
// It answers as a gateway would where a model list is asked for, refuses the rest, relays nothing.
// Usage: node outboundRecorderServer.mjs <log file> <CA certificate> <CA key> <port>...
import dgram from "node:dgram";
import { execFileSync } from "node:child_process";
import { appendFileSync, readFileSync } from "node:fs";
import net from "node:net";
import tls from "node:tls";

const [logFile, caCert, caKey, ...portArgs] = process.argv.slice(2);
/** Every name resolves here; the namespace routes it (and every other address) to loopback. */
const ANSWER = [10, 99, 0, 1];
const log = (record) => appendFileSync(logFile, `${JSON.stringify({ ...record, at: Date.now() })}\n`);

// --- DNS (UDP and TCP, port 53): one A record for every name, nothing else ---
function questionOf(message) {
  const labels = [];
  let offset = 12;
  while (message[offset] !== 0 && offset < message.length) {
    const length = message[offset];
    labels.push(message.subarray(offset + 1, offset + 1 + length).toString("latin1"));
    offset += length + 1;
  }
  const end = offset + 5;
  return { name: labels.join(".").toLowerCase(), type: message.readUInt16BE(offset + 1), question: message.subarray(12, end) };
}

function answerTo(message) {
  const { name, type, question } = questionOf(message);
  log({ kind: "dns", name, type });
  const isA = type === 1;
  const header = Buffer.alloc(12);
  message.copy(header, 0, 0, 2); // id
  header.writeUInt16BE(0x8180 | (message.readUInt16BE(2) & 0x0100), 2); // response, recursion available
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(isA ? 1 : 0, 6);
  const answer = isA ? Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 30, 0, 4, ...ANSWER]) : Buffer.alloc(0);
  return Buffer.concat([header, question, answer]);
}

const udp = dgram.createSocket("udp4");
udp.on("message", (message, peer) => udp.send(answerTo(message), peer.port, peer.address));
udp.bind(53, "0.0.0.0");
net
  .createServer((socket) => {
    let buffer = Buffer.alloc(0);
    socket.on("data", (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      while (buffer.length >= 2 && buffer.length >= 2 + buffer.readUInt16BE(0)) {
        const reply = answerTo(buffer.subarray(2, 2 + buffer.readUInt16BE(0)));
        buffer = buffer.subarray(2 + buffer.readUInt16BE(0));
        const framed = Buffer.alloc(2);
        framed.writeUInt16BE(reply.length);
        socket.write(Buffer.concat([framed, reply]));
      }
    });
    socket.on("error", () => {});
  })
  .listen(53, "0.0.0.0");

// --- HTTP: the request line and headers; a model list where one is asked for, a refusal otherwise ---
function answerHttp(socket, port, tlsName) {
  let text = "";
  socket.on("data", (chunk) => {
    text += chunk.toString("latin1");
    const end = text.indexOf("\r\n\r\n");
    if (end < 0) return;
    const [requestLine, ...headerLines] = text.slice(0, end).split("\r\n");
    const [method, target] = requestLine.split(" ");
    const headers = {};
    for (const line of headerLines) {
      const colon = line.indexOf(":");
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    log({ kind: "http", port, tls: tlsName, method, target, headers });
    const path = target.startsWith("http") ? new URL(target).pathname : target.split("?")[0];
    const [status, body] =
      method === "CONNECT"
        ? [403, ""]
        : method === "GET" && /\/models\/?$/.test(path)
          ? [200, JSON.stringify({ object: "list", data: [{ id: "recorded-model", type: "model", display_name: "Recorded model" }] })]
          : [400, JSON.stringify({ type: "error", error: { type: "invalid_request_error", message: "outbound recorder: no model here" } })];
    socket.end(
      `HTTP/1.1 ${status} Recorded\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
  socket.on("error", () => {});
}

/** The server name of a TLS ClientHello, or undefined (RFC 8446 §4.1.2, RFC 6066 §3). */
function serverNameOf(hello) {
  try {
    let offset = 5 + 4 + 2 + 32; // record header, handshake header, version, random
    offset += 1 + hello[offset]; // session id
    offset += 2 + hello.readUInt16BE(offset); // cipher suites
    offset += 1 + hello[offset]; // compression methods
    const extensionsEnd = offset + 2 + hello.readUInt16BE(offset);
    offset += 2;
    while (offset + 4 <= extensionsEnd) {
      const type = hello.readUInt16BE(offset);
      const length = hello.readUInt16BE(offset + 2);
      if (type === 0) return hello.subarray(offset + 9, offset + 9 + hello.readUInt16BE(offset + 7)).toString("latin1");
      offset += 4 + length;
    }
  } catch {
    // a ClientHello cut short: no name
  }
  return undefined;
}

const contexts = new Map();
function contextFor(name) {
  if (!contexts.has(name)) {
    const pem = execFileSync(
      "openssl",
      ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "-", "-days", "2"].concat([
        "-subj",
        `/CN=${name}`,
        "-addext",
        `subjectAltName=DNS:${name}`,
        "-CA",
        caCert,
        "-CAkey",
        caKey,
      ]),
      { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] },
    );
    contexts.set(name, tls.createSecureContext({ key: pem, cert: pem }));
  }
  return contexts.get(name);
}

for (const port of portArgs.map(Number)) {
  const server = net.createServer((socket) => {
    socket.once("readable", () => {
      const first = socket.read();
      if (first === null) return;
      if (first[0] !== 0x16) {
        socket.unshift(first);
        answerHttp(socket, port, undefined);
        return;
      }
      const name = serverNameOf(first);
      log({ kind: "tls", port, name });
      socket.unshift(first);
      if (name === undefined) return socket.destroy();
      const secure = new tls.TLSSocket(socket, { isServer: true, secureContext: contextFor(name) });
      secure.on("error", (error) => log({ kind: "tls-refused", port, name, reason: error.code ?? error.message }));
      answerHttp(secure, port, name);
    });
    socket.on("error", () => {});
  });
  server.on("error", (error) => log({ kind: "listen-failed", port, reason: error.code ?? error.message }));
  server.listen(port, "0.0.0.0");
}

readFileSync(caCert); // fails early when the CA is missing
log({ kind: "ready", ports: portArgs.map(Number) });
