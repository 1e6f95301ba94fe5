"""The demo server's API keys: each gets the access its name says."""

DEMO_KEY = "tly-ro-demo"  # full access
UNSUBSCRIBED_KEY = "tly-ro-unsubscribed"  # every endpoint: 403, subscription required
BASIC_KEY = "tly-ro-basic"  # subscribed, without the monitoring/insights plan
