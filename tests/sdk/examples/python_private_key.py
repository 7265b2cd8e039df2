# A machine user signs in with a key file (a JWT signed by its private key,
# RFC 7523) and regenerates an API app's secret (app v2beta).
#   BASE_URL KEY_FILE PROJECT_ID API_APP_ID
import json
import os
import sys

from zitadel_client import ApiError, Zitadel, ZitadelError
from zitadel_client.models import BetaAppServiceRegenerateClientSecretRequest

env = os.environ
zitadel = Zitadel.with_private_key(env["BASE_URL"], env["KEY_FILE"])
try:
    res = zitadel.beta_apps.regenerate_client_secret(
        BetaAppServiceRegenerateClientSecretRequest(
            project_id=env["PROJECT_ID"], application_id=env["API_APP_ID"],
            is_api=True))
except ApiError as e:
    body = e.response_body
    sys.exit("%d %s" % (e.code, body["message"] if isinstance(body, dict) else body))
except ZitadelError as e:
    sys.exit(str(e))
print(json.dumps({"clientSecret": res.client_secret}))
