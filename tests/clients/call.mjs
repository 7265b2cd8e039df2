#!/usr/bin/env node
// call.mjs - oidc-secret's calls made by clients nobody here wrote:
// connect-es (connect-node's Connect and gRPC-web transports) with
// @zitadel/proto's generated services, for the integration tests.
//
// Reads one call per line on standard input, as JSON:
//   {"call": "v2" | "v2beta" | "v1-api" | "v1-oidc",
//    "transport": "connect-json" | "connect-proto" | "grpc-web",
//    "baseUrl": "http://127.0.0.1:8080", "token": "..." (empty: no Authorization),
//    "projectId": "...", "appId": "...",
//    "kind": "oidc" | "api" | null   (v2beta's oneof app_type; null sets neither),
//    "orgId": "..."                  (optional, sent as x-zitadel-orgid),
//    "timeoutMs": 30000}             (optional)
// and answers each with one JSON line on standard output:
//   {"ok": true, "secretLength": 64,
//    "creationDate": {"seconds": "1795774272", "nanos": 123456000} | null,
//    "sequence": "7" | null, "resourceOwner": "..." | null}
//   {"ok": false, "code": "not_found", "message": "Application doesn't exist (COMMAND-2g66f)",
//    "details": [{"id": "COMMAND-2g66f", "message": "Application doesn't exist"}]}
// code is the Connect code string of the client's ConnectError, message its
// raw message, details the zitadel.v1.ErrorDetail messages the client
// decoded from the error's details.
//
// The secret itself is never printed.  When SECRET_FD names an open file
// descriptor (a pipe the caller reads), each success writes the secret and
// a newline there, in the order of the answers.
import { writeSync } from "node:fs";
import { createInterface } from "node:readline";

import { ConnectError, createClient } from "@connectrpc/connect";
import { codeToString } from "@connectrpc/connect/protocol-connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { AppService } from "@zitadel/proto/zitadel/app/v2beta/app_service_pb";
import { ManagementService } from "@zitadel/proto/zitadel/management_pb";
import { ErrorDetailSchema } from "@zitadel/proto/zitadel/message_pb";

import { ApplicationService } from "./application_v2.mjs";

const secretFd = process.env.SECRET_FD === undefined ? -1 : Number(process.env.SECRET_FD);

function transport(name, baseUrl) {
  // HTTP/1.1: what Apache and lighttpd speak to a FastCGI responder's clients.
  switch (name) {
    case "connect-json":
      return createConnectTransport({ baseUrl, httpVersion: "1.1", useBinaryFormat: false });
    case "connect-proto":
      return createConnectTransport({ baseUrl, httpVersion: "1.1", useBinaryFormat: true });
    case "grpc-web":
      return createGrpcWebTransport({ baseUrl, httpVersion: "1.1" });
    default:
      throw new Error(`unknown transport ${name}`);
  }
}

function appType(kind) {
  if (kind === "oidc") return { case: "isOidc", value: true };
  if (kind === "api") return { case: "isApi", value: true };
  return { case: undefined };
}

// One call; the result as the caller sees it.
async function call(c) {
  const t = transport(c.transport, c.baseUrl);
  const headers = {};
  if (c.token) headers.authorization = `Bearer ${c.token}`;
  if (c.orgId) headers["x-zitadel-orgid"] = c.orgId;
  const opts = { headers, timeoutMs: c.timeoutMs ?? 30000 };
  switch (c.call) {
    case "v2":
      return createClient(ApplicationService, t).generateClientSecret(
        { applicationId: c.appId, projectId: c.projectId },
        opts,
      );
    case "v2beta":
      return createClient(AppService, t).regenerateClientSecret(
        { projectId: c.projectId, applicationId: c.appId, appType: appType(c.kind) },
        opts,
      );
    case "v1-api":
      return createClient(ManagementService, t).regenerateAPIClientSecret(
        { projectId: c.projectId, appId: c.appId },
        opts,
      );
    case "v1-oidc":
      return createClient(ManagementService, t).regenerateOIDCClientSecret(
        { projectId: c.projectId, appId: c.appId },
        opts,
      );
    default:
      throw new Error(`unknown call ${c.call}`);
  }
}

async function outcome(c) {
  try {
    const res = await call(c);
    if (secretFd >= 0) writeSync(secretFd, res.clientSecret + "\n");
    const created = res.creationDate ?? res.details?.creationDate;
    return {
      ok: true,
      secretLength: res.clientSecret.length,
      creationDate:
        created === undefined ? null : { seconds: created.seconds.toString(), nanos: created.nanos },
      sequence: res.details === undefined ? null : res.details.sequence.toString(),
      resourceOwner: res.details === undefined ? null : res.details.resourceOwner,
    };
  } catch (e) {
    // Anything but a ConnectError is the client's own failure: crash.
    if (!(e instanceof ConnectError)) throw e;
    return {
      ok: false,
      code: codeToString(e.code),
      message: e.rawMessage,
      details: e.findDetails(ErrorDetailSchema).map((d) => ({ id: d.id, message: d.message })),
    };
  }
}

async function main() {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === "") continue;
    const out = await outcome(JSON.parse(line));
    process.stdout.write(JSON.stringify(out) + "\n");
  }
}

main().catch((e) => {
  process.stderr.write(`call.mjs: ${e?.stack ?? e}\n`);
  process.exit(1);
});
