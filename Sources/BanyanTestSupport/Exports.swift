// The project's tests use the conformance suite and its thread helpers
// beside the fixtures here, so importing this module brings both.
@_exported import BanyanConformance
