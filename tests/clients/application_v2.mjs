// application_v2.mjs - zitadel.application.v2.ApplicationService, the one
// call GenerateClientSecret, for connect-es clients.
//
// @zitadel/proto 1.3.1 (the newest release on npm) ships
// zitadel.app.v2beta.AppService and zitadel.management.v1.ManagementService
// but not zitadel.application.v2.  This module describes that service at run
// time, with @bufbuild/protobuf's own descriptor machinery, as ZITADEL's
// proto/zitadel/application/v2/application_service.proto declares it:
//
//   package zitadel.application.v2;
//   service ApplicationService {
//     rpc GenerateClientSecret(GenerateClientSecretRequest) returns (GenerateClientSecretResponse);
//   }
//   message GenerateClientSecretRequest  { string application_id = 1; string project_id = 2; }
//   message GenerateClientSecretResponse { string client_secret = 1; google.protobuf.Timestamp creation_date = 2; }
//
// Only names and field numbers are written here; encoding (protobuf binary
// and JSON), the transports and error handling are the libraries' own.
import { create, createFileRegistry } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema, file_google_protobuf_timestamp } from "@bufbuild/protobuf/wkt";

// FieldDescriptorProto.Type and .Label values (descriptor.proto).
const TYPE_STRING = 9;
const TYPE_MESSAGE = 11;
const LABEL_OPTIONAL = 1;

function field(name, number, jsonName, type, typeName) {
  return { name, number, jsonName, type, typeName, label: LABEL_OPTIONAL };
}

const file = create(FileDescriptorProtoSchema, {
  name: "zitadel/application/v2/application_service.proto",
  package: "zitadel.application.v2",
  syntax: "proto3",
  dependency: ["google/protobuf/timestamp.proto"],
  messageType: [
    {
      name: "GenerateClientSecretRequest",
      field: [
        field("application_id", 1, "applicationId", TYPE_STRING),
        field("project_id", 2, "projectId", TYPE_STRING),
      ],
    },
    {
      name: "GenerateClientSecretResponse",
      field: [
        field("client_secret", 1, "clientSecret", TYPE_STRING),
        field("creation_date", 2, "creationDate", TYPE_MESSAGE, ".google.protobuf.Timestamp"),
      ],
    },
  ],
  service: [
    {
      name: "ApplicationService",
      method: [
        {
          name: "GenerateClientSecret",
          inputType: ".zitadel.application.v2.GenerateClientSecretRequest",
          outputType: ".zitadel.application.v2.GenerateClientSecretResponse",
        },
      ],
    },
  ],
});

const registry = createFileRegistry(file, (name) =>
  name === "google/protobuf/timestamp.proto" ? file_google_protobuf_timestamp : undefined,
);

export const ApplicationService = registry.getService("zitadel.application.v2.ApplicationService");
export const GenerateClientSecretRequestSchema = registry.getMessage(
  "zitadel.application.v2.GenerateClientSecretRequest",
);
export const GenerateClientSecretResponseSchema = registry.getMessage(
  "zitadel.application.v2.GenerateClientSecretResponse",
);
