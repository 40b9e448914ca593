"""Ordering pages: customers' projects and orders, the order queue, trigger deliveries."""
