// zitadel-client.mjs - the @zitadel/client example of doc/clients.md, run by
// the integration tests.  Settings from the environment: BASE_URL, TOKEN,
// PROJECT_ID, APP_ID.  Prints {"clientSecret": ...}.
import { ConnectError } from "@connectrpc/connect";
import { createManagementServiceClient } from "@zitadel/client/v1";
import { createClientTransport } from "@zitadel/client/web";

// gRPC-web over fetch: what a CGI or FastCGI responder can answer.
const transport = createClientTransport(process.env.TOKEN, {
  baseUrl: process.env.BASE_URL,
});
const management = createManagementServiceClient(transport);
try {
  const res = await management.regenerateOIDCClientSecret({
    projectId: process.env.PROJECT_ID,
    appId: process.env.APP_ID, // regenerateAPIClientSecret for an API app
  });
  console.log(JSON.stringify({ clientSecret: res.clientSecret }));
} catch (e) {
  if (!(e instanceof ConnectError)) throw e;
  console.error(e.code, e.rawMessage); // e.g. 5 Application doesn't exist (COMMAND-2g66f)
  process.exitCode = 1;
}
