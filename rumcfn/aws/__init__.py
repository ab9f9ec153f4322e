"""Every boto3 call: the session and its one-line errors, reading deployed stacks (:mod:`.stacks`), change sets,
events, deploy, stack sets, Service Catalog, the budget gate's data (:mod:`.budget_data`), restore and
source-map upload. What is judged or shown from that data is elsewhere (:mod:`rumcfn.gate`, :mod:`.views`)."""
