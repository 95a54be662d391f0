import SystemSupport

// Temporary, for JobRunner.swift, which names these without importing
// SystemSupport: remove both once it does.
typealias ComputePool = SystemSupport.ComputePool
typealias BlockingIO = SystemSupport.BlockingIO
