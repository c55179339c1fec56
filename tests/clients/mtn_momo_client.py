"""Runs the public `mtn-momo-client` PyPI package (import `momo_api`, lepresk/momo-api-python),
unchanged, against Dalal's emulator of MTN MoMo's Collection API (tests/api/clients.rs starts
Dalal and runs this). MTN_MOMO_BASE_URL: e.g. http://127.0.0.1:3000/sandbox/providers/mtn-momo"""
import os
import time

from momo_api import CollectionApi, Config, PaymentRequest

config = Config.collection(
    subscription_key=os.environ["MTN_MOMO_SUBSCRIPTION_KEY"],
    api_user=os.environ["MTN_MOMO_API_USER"],
    api_key=os.environ["MTN_MOMO_API_KEY"],
    callback_uri="",
)
# `MomoApi.collection()` knows MTN's own hosts only; the public `CollectionApi` takes any base.
# In the `sandbox` environment the client asks in euros, as MTN's sandbox wants.
api = CollectionApi(config, os.environ["MTN_MOMO_BASE_URL"], "sandbox")
reference = api.request_to_pay(
    PaymentRequest.make("100", "46733123450", f"pypi-{int(time.time())}",
                        payer_message="Dalal test", payee_note="Dalal test"))
for _ in range(40):
    transaction = api.get_payment_status(reference)
    if not transaction.is_pending():
        break
    time.sleep(0.25)
assert transaction.is_successful(), transaction.raw
balance = api.get_balance()
assert api.check_account_holder("46733123450") is True
print(f"mtn-momo-client: request to pay {reference} SUCCESSFUL, balance {balance}")
print("client: every call passed")
