"""Local emulations of the vendor clouds the integrations talk to.

`simulators.core` is the shared framework (servers, clock, scenarios, faults, request log);
each vendor's simulator lives in `simulators/<vendor>/` and registers in `simulators.registry`.
"""
