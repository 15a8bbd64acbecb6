"""Payment gateways (WeChat Pay, Alipay, later medical insurance): orders, signatures, refunds.

Pure Python over the vendors' SDKs; amounts are integer fen. `backend.services` records the ledger.
"""
