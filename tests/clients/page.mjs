// page.mjs - a web page on another origin calls oidc-secret three ways:
// fetch on the REST path, and connect-web (ZITADEL's generated services)
// over gRPC-web and over Connect.  Bundled by esbuild into page.js for
// page.html; the integration tests drive it in headless Chromium.
//
// window.oidcSecretPage.run(settings) makes the calls one after another,
// shows each outcome in the page (a secret's length, never the secret) and
// resolves to the secrets by call name, for the caller to check and forget.
//   settings: {baseUrl, token, projectId, restAppId, grpcWebAppId, connectAppId}
import { createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-web";
import { AppService } from "@zitadel/proto/zitadel/app/v2beta/app_service_pb";

import { ApplicationService } from "./application_v2.mjs";

async function viaRest(s) {
  const url =
    `${s.baseUrl}/management/v1/projects/${encodeURIComponent(s.projectId)}` +
    `/apps/${encodeURIComponent(s.restAppId)}/oidc_config/_generate_client_secret`;
  const r = await fetch(url, {
    method: "POST",
    headers: { authorization: `Bearer ${s.token}`, "content-type": "application/json" },
    body: "{}",
  });
  const body = await r.json();
  if (!r.ok) throw new Error(`HTTP ${r.status}: ${body.message}`);
  return body.clientSecret;
}

async function viaGrpcWeb(s) {
  const client = createClient(AppService, createGrpcWebTransport({ baseUrl: s.baseUrl }));
  const res = await client.regenerateClientSecret(
    { projectId: s.projectId, applicationId: s.grpcWebAppId, appType: { case: "isOidc", value: true } },
    { headers: { authorization: `Bearer ${s.token}` } },
  );
  return res.clientSecret;
}

async function viaConnect(s) {
  const client = createClient(ApplicationService, createConnectTransport({ baseUrl: s.baseUrl }));
  const res = await client.generateClientSecret(
    { applicationId: s.connectAppId, projectId: s.projectId },
    { headers: { authorization: `Bearer ${s.token}` } },
  );
  return res.clientSecret;
}

const CALLS = [
  ["rest", "fetch, REST (management v1, OIDC app)", viaRest],
  ["grpc-web", "connect-web, gRPC-web (app v2beta, OIDC app)", viaGrpcWeb],
  ["connect", "connect-web, Connect JSON (application v2, API app)", viaConnect],
];

async function run(settings) {
  document.getElementById("api").textContent = settings.baseUrl;
  const list = document.getElementById("results");
  list.replaceChildren();
  const secrets = {};
  for (const [name, label, fn] of CALLS) {
    const li = document.createElement("li");
    li.dataset.call = name;
    try {
      const secret = await fn(settings);
      secrets[name] = secret;
      li.dataset.ok = "true";
      li.dataset.length = String(secret.length);
      li.textContent = `${label}: a secret of ${secret.length} characters`;
    } catch (e) {
      li.dataset.ok = "false";
      li.textContent = `${label}: failed: ${e}`;
    }
    list.append(li);
  }
  document.getElementById("status").textContent = "done";
  return secrets;
}

document.getElementById("origin").textContent = location.origin;
document.getElementById("status").textContent = "ready";
window.oidcSecretPage = { run };
