// SwiftPM needs a source file in every test target that Package.swift
// declares; the CLI issue replaces this file with tests of the `banyan` binary.
import Testing
