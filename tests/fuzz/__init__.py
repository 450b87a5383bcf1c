"""What the fuzz suites (tests/test_fuzz_*.py) share: a world of demo-like cases built once per
module, and the people who send the requests."""
