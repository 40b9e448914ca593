"""Usage accounting: usage records (WStore's SDRs and meters' batches), pay-per-use
charging and customers' expenditure limits (store-ge.md §6, §9)."""
