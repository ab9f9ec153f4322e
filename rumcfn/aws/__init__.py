"""Every boto3 call: sessions and errors, stacks, events, deploy, stack sets, Service Catalog, the budget gate,
restore."""
