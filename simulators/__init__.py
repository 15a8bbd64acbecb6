"""Local stand-ins for vendor APIs (WeChat, Alipay), used by tests and the offline demo.

They speak the vendors' HTTP protocols and check credentials and signatures like the real
services, so our code reaches them through the real SDKs over real HTTP on loopback. They keep
their state in memory and are never used in production.
"""
