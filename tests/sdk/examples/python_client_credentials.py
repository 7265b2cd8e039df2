# A machine user signs in with its client ID and secret (OAuth 2.0 client
# credentials) and regenerates an OIDC app's secret (application v2).
#   BASE_URL CLIENT_ID CLIENT_SECRET PROJECT_ID APP_ID
import json
import os
import sys

from zitadel_client import ApiError, Zitadel, ZitadelError
from zitadel_client.models import ApplicationServiceGenerateClientSecretRequest

env = os.environ
zitadel = Zitadel.with_client_credentials(
    env["BASE_URL"], env["CLIENT_ID"], env["CLIENT_SECRET"])
try:
    res = zitadel.applications.generate_client_secret(
        ApplicationServiceGenerateClientSecretRequest(
            project_id=env["PROJECT_ID"], application_id=env["APP_ID"]))
except ApiError as e:   # the API refused: HTTP status, Connect error body
    body = e.response_body
    sys.exit("%d %s" % (e.code, body["message"] if isinstance(body, dict) else body))
except ZitadelError as e:   # signing in failed
    sys.exit(str(e))
print(json.dumps({"clientSecret": res.client_secret}))
