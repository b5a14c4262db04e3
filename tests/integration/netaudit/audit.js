// Loaded into Node.js programs with NODE_OPTIONS=--require=.../audit.js (a test helper).
// The Node.js counterpart of sitecustomize.py beside it: records, and refuses, any connection
// or name lookup to anything but loopback, one line per attempt in $FEDLEARN_NET_AUDIT.
"use strict";
const fs = require("fs");
const net = require("net");
const dns = require("dns");

const LOG = process.env.FEDLEARN_NET_AUDIT;
const LOCAL = new Set(["127.0.0.1", "::1", "localhost", "0.0.0.0", "", undefined, null]);

function local(host) {
  if (LOCAL.has(host) || typeof host !== "string") return true;
  return host.startsWith("127.") || host.endsWith(".localhost") || host.startsWith("/");
}

function record(event, host) {
  fs.appendFileSync(LOG, `${process.pid} node ${process.argv.slice(1, 2).join(" ").slice(-60)} ${event} ${host}\n`);
  return new Error(`fedlearn-kit network audit: outbound ${event} to ${host} refused`);
}

if (LOG) {
  const connect = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function (...args) {
    const options = typeof args[0] === "object" && args[0] !== null ? args[0] : {};
    const host = Array.isArray(args[0]) ? args[0][0].host : (options.host ?? (typeof args[1] === "string" ? args[1] : undefined));
    if (!options.path && !local(host)) {
      const error = record("socket.connect", host);
      process.nextTick(() => this.destroy(error));
      return this;
    }
    return connect.apply(this, args);
  };
  const lookup = dns.lookup;
  dns.lookup = function (hostname, ...rest) {
    if (!local(hostname)) {
      const error = record("dns.lookup", hostname);
      const callback = rest[rest.length - 1];
      process.nextTick(() => callback(error));
      return {};
    }
    return lookup.call(this, hostname, ...rest);
  };
}
