# An administrator's access token registers the public half of a key pair
# made here: the private key never leaves this machine.  Writes the key
# file (ZITADEL's format) to KEY_FILE, mode 0600.
#   BASE_URL TOKEN USER_ID KEY_FILE
import base64
import json
import os
import sys

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from zitadel_client import ApiError, Zitadel
from zitadel_client.models import UserServiceAddKeyRequest

env = os.environ
pair = rsa.generate_private_key(public_exponent=65537, key_size=2048)
public_pem = pair.public_key().public_bytes(
    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
zitadel = Zitadel.with_access_token(env["BASE_URL"], env["TOKEN"])
try:
    key = zitadel.users.add_key(UserServiceAddKeyRequest(
        user_id=env["USER_ID"], public_key=base64.b64encode(public_pem).decode()))
except ApiError as e:
    body = e.response_body
    sys.exit("%d %s" % (e.code, body["message"] if isinstance(body, dict) else body))
private_pem = pair.private_bytes(serialization.Encoding.PEM,
                                 serialization.PrivateFormat.TraditionalOpenSSL,
                                 serialization.NoEncryption()).decode()
with open(os.open(env["KEY_FILE"], os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as f:
    json.dump({"type": "serviceaccount", "keyId": key.key_id, "key": private_pem,
               "userId": env["USER_ID"]}, f)
print(json.dumps({"keyId": key.key_id}))
