"""Projects, orders and the order-management systems (OMS) that handle them."""
