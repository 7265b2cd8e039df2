# An administrator's access token gives a machine user a client secret and
# a key the server makes (its key file written to KEY_FILE, mode 0600).
#   BASE_URL TOKEN USER_ID KEY_FILE
import base64
import json
import os
import sys

from zitadel_client import ApiError, Zitadel
from zitadel_client.models import UserServiceAddKeyRequest, UserServiceAddSecretRequest

env = os.environ
zitadel = Zitadel.with_access_token(env["BASE_URL"], env["TOKEN"])
try:
    secret = zitadel.users.add_secret(UserServiceAddSecretRequest(user_id=env["USER_ID"]))
    key = zitadel.users.add_key(UserServiceAddKeyRequest(user_id=env["USER_ID"]))
except ApiError as e:
    body = e.response_body
    sys.exit("%d %s" % (e.code, body["message"] if isinstance(body, dict) else body))
# keyContent is the key file, base64-encoded: the private key is in it.
with open(os.open(env["KEY_FILE"], os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as f:
    f.write(base64.b64decode(key.key_content))
print(json.dumps({"clientSecret": secret.client_secret, "keyId": key.key_id}))
