"""Payment gateways behind one interface (``gateway.Gateway``), and a payment's life:
started, then settled, due, cancelled or expired (``lifecycle``)."""
