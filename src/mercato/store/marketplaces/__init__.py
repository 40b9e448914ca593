"""Marketplaces and USDL repositories: WStore's admin registry, publishing offerings to
marketplaces (WStore's v2 marketplace contract), and the receiving side of that contract,
so one Mercato federates into another's catalogue."""
