// SwiftPM needs a source file in every test target that Package.swift
// declares; the packs branch has no tests here. Delete this file when merging
// a branch that adds real tests to this target.
import Testing
