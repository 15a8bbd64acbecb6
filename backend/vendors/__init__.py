"""Clients for the vendors' open APIs (WeChat mini-program, Alipay), over their official SDKs.

Framework-free: no Flask here. Each client takes its endpoint base URL so that tests and the
offline demo point it at the local simulators in `simulators/`. Failures surface as the
exceptions of `backend.vendors.errors`, never as SDK or HTTP-library exceptions.
"""
