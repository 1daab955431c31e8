// The state store conformance suite (run against every backend), like @asya/transport/testing.
export {};
