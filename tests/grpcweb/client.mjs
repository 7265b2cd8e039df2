#!/usr/bin/env node
// client.mjs - one RegenerateOIDCClientSecret call over gRPC-web, made with
// ZITADEL's published client (@zitadel/proto's generated ManagementService
// on connect-node's gRPC-web transport), for the integration tests.
//
// Settings come from the environment, or from flags that override it:
//   BASE_URL    --base-url    where the API is mounted, e.g. http://127.0.0.1:8080/api
//   TOKEN       --token       bearer token; empty or unset sends no Authorization
//   PROJECT_ID  --project-id
//   APP_ID      --app-id
//   ORG_ID      --org-id      optional: sent as x-zitadel-orgid
//   TIMEOUT_MS  --timeout-ms  optional, default 30000
//
// Prints one JSON line on stdout and exits 0 whether the call succeeded or
// failed; a non-zero exit means the client itself broke (bad usage: 2).
//   {"ok":true,"clientSecret":"...","sequence":"7",
//    "creationDate":{"seconds":"1795774272","nanos":123456000}|null,
//    "changeDate":{...}|null,"resourceOwner":"..."}
//   {"ok":false,"code":16,"message":"Token is invalid (AUTH-7fs1e)"}
// code is the gRPC status code (ConnectError's Code has the same numbers);
// message is the server's grpc-message, percent-decoded, without a prefix.
import { parseArgs } from "node:util";

import { ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-node";
import { ManagementService } from "@zitadel/proto/zitadel/management_pb";

const flags = {
  "base-url": "BASE_URL",
  token: "TOKEN",
  "project-id": "PROJECT_ID",
  "app-id": "APP_ID",
  "org-id": "ORG_ID",
  "timeout-ms": "TIMEOUT_MS",
};

function usage(why) {
  process.stderr.write(
    `client.mjs: ${why}\n` +
      "usage: BASE_URL=... TOKEN=... PROJECT_ID=... APP_ID=... [ORG_ID=...] node client.mjs\n" +
      "   or: node client.mjs --base-url URL --token T --project-id P --app-id A [--org-id O]\n",
  );
  process.exit(2);
}

function settings() {
  let values;
  try {
    ({ values } = parseArgs({
      options: Object.fromEntries(Object.keys(flags).map((f) => [f, { type: "string" }])),
      strict: true,
    }));
  } catch (e) {
    usage(e.message);
  }
  const s = {};
  for (const [flag, env] of Object.entries(flags))
    s[env] = values[flag] ?? process.env[env] ?? "";
  if (s.BASE_URL === "") usage("BASE_URL is not set");
  // Empty IDs are allowed: the server's "ID missing" is worth testing.
  const timeout = s.TIMEOUT_MS === "" ? 30000 : Number(s.TIMEOUT_MS);
  if (!Number.isInteger(timeout) || timeout <= 0) usage(`bad TIMEOUT_MS: ${s.TIMEOUT_MS}`);
  s.TIMEOUT_MS = timeout;
  return s;
}

function timestamp(ts) {
  return ts === undefined ? null : { seconds: ts.seconds.toString(), nanos: ts.nanos };
}

async function main() {
  const s = settings();
  // connect-node over HTTP/1.1 sends the body chunked, without Content-Length.
  const transport = createGrpcWebTransport({ baseUrl: s.BASE_URL, httpVersion: "1.1" });
  const client = createClient(ManagementService, transport);
  const headers = {};
  if (s.TOKEN !== "") headers.authorization = `Bearer ${s.TOKEN}`;
  if (s.ORG_ID !== "") headers["x-zitadel-orgid"] = s.ORG_ID;

  let out;
  try {
    const res = await client.regenerateOIDCClientSecret(
      { projectId: s.PROJECT_ID, appId: s.APP_ID },
      { headers, timeoutMs: s.TIMEOUT_MS },
    );
    const d = res.details;
    out = {
      ok: true,
      clientSecret: res.clientSecret,
      sequence: d === undefined ? null : d.sequence.toString(),
      creationDate: d === undefined ? null : timestamp(d.creationDate),
      changeDate: d === undefined ? null : timestamp(d.changeDate),
      resourceOwner: d === undefined ? null : d.resourceOwner,
    };
  } catch (e) {
    // Anything but a ConnectError is the client's own failure: crash.
    if (!(e instanceof ConnectError)) throw e;
    out = { ok: false, code: e.code, message: e.rawMessage };
  }
  process.stdout.write(JSON.stringify(out) + "\n");
}

main().catch((e) => {
  process.stderr.write(`client.mjs: ${e?.stack ?? e}\n`);
  process.exit(1);
});
