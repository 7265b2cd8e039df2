// example.mjs - the connect-node example of doc/clients.md, run by the
// integration tests.  Settings from the environment (the first block of
// doc/clients.md sets them):
// BASE_URL, TOKEN, PROJECT_ID, APP_ID.  Prints {"clientSecret": ...}.
import { ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { AppService } from "@zitadel/proto/zitadel/app/v2beta/app_service_pb";
import { ErrorDetailSchema } from "@zitadel/proto/zitadel/message_pb";

const transport = createConnectTransport({
  baseUrl: process.env.BASE_URL, // where the responder is mounted
  httpVersion: "1.1",
  useBinaryFormat: false, // true: application/proto instead of JSON
});
const apps = createClient(AppService, transport);
try {
  const res = await apps.regenerateClientSecret(
    {
      projectId: process.env.PROJECT_ID,
      applicationId: process.env.APP_ID,
      appType: { case: "isOidc", value: true }, // { case: "isApi", value: true } for an API app
    },
    { headers: { authorization: `Bearer ${process.env.TOKEN}` } },
  );
  console.log(JSON.stringify({ clientSecret: res.clientSecret }));
} catch (e) {
  if (!(e instanceof ConnectError)) throw e;
  const [detail] = e.findDetails(ErrorDetailSchema);
  // e.g. 5 Application doesn't exist (COMMAND-2g66f) COMMAND-2g66f
  console.error(e.code, e.rawMessage, detail?.id);
  process.exitCode = 1;
}
